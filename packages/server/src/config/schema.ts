import { alertKeys } from './alert-keys.js';
import { infraKeys } from './infra-keys.js';
import { ingestKeys } from './ingest-keys.js';
import { relayKeys } from './relay-keys.js';
import { reportKeys } from './report-keys.js';
import { serverKeys } from './server-keys.js';
import { storageKeys } from './storage-keys.js';
import { syncKeys } from './sync-keys.js';
import { webhookKeys } from './webhook-keys.js';

/**
 * Every setting Pulse reads, one file per area; docs/configuration.md is generated from it. Env wins over
 * pulse.config.json, which wins over the default.
 */
export const configKeys = {
  ...serverKeys,
  ...storageKeys,
  ...ingestKeys,
  ...alertKeys,
  ...webhookKeys,
  ...infraKeys,
  ...syncKeys,
  ...relayKeys,
  ...reportKeys,
};

export type ConfigKey = keyof typeof configKeys;
export type Config = Readonly<{ [K in ConfigKey]: ReturnType<(typeof configKeys)[K]['parse']> }>;

/** Per-provider tolerance overrides: PULSE_<PROVIDER>_TOLERANCE_SECONDS. */
export const webhookProviders = ['sendgrid', 'mailgun', 'ses', 'stripe', 'posthog'] as const;
