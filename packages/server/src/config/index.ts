import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BadValue, int } from './keys.js';
import { configKeys, webhookProviders, type Config, type ConfigKey } from './schema.js';

export { configKeys, type Config } from './schema.js';
export type { ProjectToken } from './project-tokens.js';

export type FullConfig = Config & {
  readonly webhookTolerance: Readonly<Record<(typeof webhookProviders)[number], number>>;
};

/** SNS re-sends a message unchanged (same signed Timestamp) for up to an hour; plus a few minutes of skew. */
const SNS_RETRY_TOLERANCE_SECONDS = 3900;

/** Every bad key, listed at once so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of pulse.config.json; default PULSE_CONFIG, else ./pulse.config.json when present; null: no file. */
  file?: string | null;
  /** Values from CLI flags; they win over env and file. */
  overrides?: Partial<Record<ConfigKey, unknown>>;
}

function readFile(path: string, problems: string[]): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    problems.push(`${path}: must hold a JSON object`);
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
  }
  return {};
}

/** Reads configuration once: CLI overrides > env > file > defaults. Returns a frozen object or throws ConfigError. */
export function loadConfig(options: LoadOptions = {}): FullConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const explicit = options.file === null ? null : (options.file ?? env.PULSE_CONFIG);
  const path =
    explicit === null
      ? undefined
      : (explicit ?? (existsSync('pulse.config.json') ? 'pulse.config.json' : undefined));
  const file = path ? readFile(resolve(path), problems) : {};

  const known = new Set(Object.values(configKeys).map((k) => k.file));
  for (const name of Object.keys(file)) if (!known.has(name)) problems.push(`${path}: unknown key "${name}"`);

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(configKeys)) {
    const override = options.overrides?.[name as ConfigKey];
    const [source, raw] =
      override !== undefined
        ? [`--${name}`, override]
        : env[spec.env] !== undefined
          ? [spec.env, env[spec.env]]
          : file[spec.file] !== undefined
            ? [`${path}: ${spec.file}`, file[spec.file]]
            : [undefined, undefined];
    if (source === undefined) {
      values[name] = spec.default;
      continue;
    }
    try {
      values[name] = spec.parse(raw);
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      const got = spec.secret ? '' : ` (got ${JSON.stringify(raw)})`;
      problems.push(`${source} ${error.message}${got}: ${spec.description}`);
    }
  }

  const tolerance: Record<string, number> = {};
  const toleranceSet =
    options.overrides?.webhookToleranceSeconds !== undefined ||
    env[configKeys.webhookToleranceSeconds.env] !== undefined ||
    file[configKeys.webhookToleranceSeconds.file] !== undefined;
  for (const provider of webhookProviders) {
    const envName = `PULSE_${provider.toUpperCase()}_TOLERANCE_SECONDS`;
    const raw = env[envName];
    try {
      tolerance[provider] =
        raw !== undefined
          ? int(0, 86_400 * 7)(raw)
          : provider === 'ses' && !toleranceSet
            ? SNS_RETRY_TOLERANCE_SECONDS
            : (values.webhookToleranceSeconds as number);
    } catch (error) {
      problems.push(`${envName} ${(error as Error).message} (got ${JSON.stringify(raw)})`);
    }
  }

  if ((values.tlsCertFile === undefined) !== (values.tlsKeyFile === undefined))
    problems.push(
      'PULSE_TLS_CERT_FILE and PULSE_TLS_KEY_FILE go together: set both to serve HTTPS, or neither',
    );

  if ((values.posthogHost === undefined) !== (values.posthogProjectToken === undefined))
    problems.push(
      'PULSE_POSTHOG_HOST and PULSE_POSTHOG_PROJECT_TOKEN go together: set both to relay events to PostHog, or neither',
    );
  else if (values.posthogHost !== undefined && values.ingestLog === false)
    problems.push('PULSE_POSTHOG_HOST relays from the ingest log: it needs PULSE_INGEST_LOG=true');

  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({ ...values, webhookTolerance: Object.freeze(tolerance) }) as FullConfig;
}

/** The server URL the CLI talks to. */
export function serverUrl(config: Config): string {
  const scheme = config.tlsCertFile ? 'https' : 'http';
  return config.url ?? `${scheme}://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
}
