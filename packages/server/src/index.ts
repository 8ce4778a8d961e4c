export { loadConfig, ConfigError, type Config, type FullConfig } from './config/index.js';
