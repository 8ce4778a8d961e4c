import { createPublicKey } from 'node:crypto';
import { BadValue, bool, byteSize, int, list, optStr, str, url, type KeySpec } from './keys.js';
import { projectTokenList, type ProjectToken } from './project-tokens.js';
import { checkPolicies, describeProblems } from '../retention/policy.js';
import { DEFAULT_RETENTION_CRON } from '../retention/schedule.js';
import type { RetentionPolicy } from '../storage/retention-store.js';
import { parseTenantMap } from '../webhooks/tenant-map-input.js';
import type { TenantMapConfig } from '../webhooks/tenant-map.js';

const key = <T>(spec: KeySpec<T>): KeySpec<T> => spec;
/** SendGrid keys: base64 DER SubjectPublicKeyInfo of an EC key each; a bad one is named at start. */
const sendgridKeys = (raw: unknown): string[] => {
  const keys = list(raw);
  keys.forEach((k, i) => {
    try {
      if (
        createPublicKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType !==
        'ec'
      )
        throw new Error('not an EC key');
    } catch {
      throw new BadValue(
        `key ${i + 1} is not a base64 EC public key (MFkw…, as SendGrid's console shows it)`,
      );
    }
  });
  return keys;
};
/** PULSE_WEBHOOK_TENANT_MAP: JSON in env, an object in the file; tenants are non-empty strings. */
const tenantMap = (raw: unknown): TenantMapConfig => {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new BadValue('must be JSON: {"domains": {…}, "stripeCustomers": {…}}');
    }
  }
  return parseTenantMap(value, (problem) => new BadValue(problem));
};
const http = url(['http:', 'https:']);
const channelList = (raw: unknown): string[] => {
  const items = list(raw);
  const bad = items.find((c) => !['slack', 'email', 'webhook'].includes(c));
  if (bad !== undefined) throw new BadValue(`names an unknown channel "${bad}" (slack, email, webhook)`);
  return items;
};
/** PULSE_RETENTION: a JSON array in env, an array in the file; every bad entry listed. */
const retentionPolicies = (raw: unknown): RetentionPolicy[] | undefined => {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return undefined;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new BadValue('must be a JSON array of {event, tenant?, days}');
    }
  }
  const { policies, problems } = checkPolicies(value);
  if (problems.length) throw new BadValue(describeProblems(problems));
  return policies;
};

/**
 * Every setting Pulse reads; docs/configuration.md is generated from it. Env wins over pulse.config.json, which
 * wins over the default.
 */
export const configKeys = {
  host: key({
    env: 'PULSE_HOST',
    file: 'host',
    default: '127.0.0.1',
    parse: str,
    description: 'Address to listen on',
  }),
  port: key({
    env: 'PULSE_PORT',
    file: 'port',
    default: 8000,
    parse: int(0, 65535),
    description: 'HTTP port',
  }),
  dataDir: key({
    env: 'PULSE_DATA_DIR',
    file: 'dataDir',
    default: './.pulse',
    parse: str,
    description: 'Where the embedded store and keys live',
  }),
  projectTokens: key<ProjectToken[]>({
    env: 'PULSE_PROJECT_TOKEN',
    file: 'projectTokens',
    default: [],
    parse: projectTokenList,
    description:
      'Project tokens capture accepts, comma-separated, each `token` or `token=tenant-a|tenant-b` (only those tenants); empty accepts any well-formed token',
  }),
  adminKey: key({
    env: 'PULSE_ADMIN_KEY',
    file: 'adminKey',
    default: undefined,
    parse: optStr,
    description: 'Bootstrap admin API key',
  }),
  tlsCertFile: key({
    env: 'PULSE_TLS_CERT_FILE',
    file: 'tlsCertFile',
    default: undefined,
    parse: optStr,
    description: 'PEM certificate (chain): with PULSE_TLS_KEY_FILE, Pulse serves HTTPS and WSS only',
  }),
  tlsKeyFile: key({
    env: 'PULSE_TLS_KEY_FILE',
    file: 'tlsKeyFile',
    default: undefined,
    parse: optStr,
    description: "PEM private key of PULSE_TLS_CERT_FILE's certificate",
  }),
  cookieSecure: key({
    env: 'PULSE_COOKIE_SECURE',
    file: 'cookieSecure',
    default: false,
    parse: bool,
    description: 'Mark session cookies Secure behind a TLS-terminating proxy (always on with PULSE_TLS_*)',
  }),
  sessionIdleMinutes: key({
    env: 'PULSE_SESSION_IDLE_MINUTES',
    file: 'sessionIdleMinutes',
    default: 720,
    parse: int(1, 525_600),
    description: 'A dashboard session unused this long ends',
  }),
  sessionMaxHours: key({
    env: 'PULSE_SESSION_MAX_HOURS',
    file: 'sessionMaxHours',
    default: 168,
    parse: int(1, 8_760),
    description: 'A dashboard session ends this long after sign-in, however active',
  }),
  encryptionKeyFile: key({
    env: 'PULSE_ENCRYPTION_KEY_FILE',
    file: 'encryptionKeyFile',
    default: undefined,
    parse: optStr,
    description:
      'File holding the 256-bit at-rest encryption key (64 hex characters; `pulse encryption keygen` writes one). Set: the DuckDB store is encrypted with AES-256-GCM. Unset: data at rest is not encrypted',
  }),
  duckdbExtensionDir: key({
    env: 'PULSE_DUCKDB_EXTENSION_DIR',
    file: 'duckdbExtensionDir',
    default: undefined,
    parse: optStr,
    description:
      "DuckDB extension directory (DuckDB's extension_directory) holding httpfs, for hosts that cannot download it; when set, Pulse only loads httpfs from there and never downloads",
  }),
  duckdbMemoryLimit: key<string | undefined>({
    env: 'PULSE_DUCKDB_MEMORY_LIMIT',
    file: 'duckdbMemoryLimit',
    default: undefined,
    parse: byteSize,
    description:
      "DuckDB's memory_limit (e.g. 4GB, 512MiB): joins, sorts and aggregates beyond it spill to <store>.tmp or fail that one query. Default: 40 % of the machine's memory",
  }),
  queryTimeoutMs: key({
    env: 'PULSE_QUERY_TIMEOUT_MS',
    file: 'queryTimeoutMs',
    default: 10_000,
    parse: int(100, 600_000),
    description: 'Wall time of one ad-hoc query (POST /api/query), from arrival to its last row converted',
  }),
  queryMaxRows: key({
    env: 'PULSE_QUERY_MAX_ROWS',
    file: 'queryMaxRows',
    default: 50_000,
    parse: int(1, 1_000_000),
    description: 'Rows one ad-hoc query returns at most; beyond it the answer is cut and says truncated',
  }),
  queryMaxBytes: key({
    env: 'PULSE_QUERY_MAX_BYTES',
    file: 'queryMaxBytes',
    default: 16 * 1024 * 1024,
    parse: int(1024, 1024 * 1024 * 1024),
    description: 'Size of one ad-hoc result as JSON; a larger one is refused (result_too_large), not cut',
  }),
  queryConcurrency: key({
    env: 'PULSE_QUERY_CONCURRENCY',
    file: 'queryConcurrency',
    default: 2,
    parse: int(1, 64),
    description: 'Ad-hoc queries and reports that run at once; up to 32 more wait, the rest get 503',
  }),
  encryptionAllowUnsafeMbedtls: key({
    env: 'PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS',
    file: 'encryptionAllowUnsafeMbedtls',
    default: false,
    parse: bool,
    description:
      "When httpfs (OpenSSL) cannot be loaded, encrypt with DuckDB's built-in mbedtls crypto instead of refusing to start. DuckDB labels such files NOT securely encrypted (weaker random numbers); for tests and evaluation only",
  }),
  storeUrl: key({
    env: 'PULSE_STORE_URL',
    file: 'storeUrl',
    default: undefined,
    parse: optStr,
    description: 'Event store; default the embedded DuckDB file in the data dir',
  }),
  url: key({
    env: 'PULSE_URL',
    file: 'url',
    default: undefined,
    parse: http,
    description: 'Server the CLI talks to (default http://HOST:PORT)',
  }),
  posthogHost: key({
    env: 'PULSE_POSTHOG_HOST',
    file: 'posthogHost',
    default: undefined,
    parse: http,
    description: 'Upstream PostHog for the relay',
  }),
  posthogProjectToken: key({
    env: 'PULSE_POSTHOG_PROJECT_TOKEN',
    file: 'posthogProjectToken',
    default: undefined,
    parse: optStr,
    description: 'Upstream PostHog project token',
  }),
  slackWebhookUrl: key({
    env: 'PULSE_SLACK_WEBHOOK_URL',
    file: 'slackWebhookUrl',
    default: undefined,
    parse: http,
    description: 'Slack incoming webhook for alerts',
  }),
  smtpUrl: key({
    env: 'PULSE_SMTP_URL',
    file: 'smtpUrl',
    default: undefined,
    parse: url(['smtp:', 'smtps:']),
    description: 'SMTP server for alert email',
  }),
  alertEmailTo: key<string[]>({
    env: 'PULSE_ALERT_EMAIL_TO',
    file: 'alertEmailTo',
    default: [],
    parse: list,
    description: 'Alert email recipients',
  }),
  alertWebhookUrl: key({
    env: 'PULSE_ALERT_WEBHOOK_URL',
    file: 'alertWebhookUrl',
    default: undefined,
    parse: http,
    description: 'Generic alert webhook',
  }),
  alertWebhookSecret: key({
    env: 'PULSE_ALERT_WEBHOOK_SECRET',
    file: 'alertWebhookSecret',
    default: undefined,
    parse: optStr,
    description: 'HMAC secret for the alert webhook',
  }),
  sendgridPublicKey: key<string[]>({
    env: 'PULSE_SENDGRID_PUBLIC_KEY',
    file: 'sendgridPublicKey',
    default: [],
    parse: sendgridKeys,
    description:
      'SendGrid Event Webhook verification key(s) (base64, as the console shows it; comma-separated while rotating). Enables POST /webhooks/sendgrid',
  }),
  mailgunSigningKey: key<string[]>({
    env: 'PULSE_MAILGUN_SIGNING_KEY',
    file: 'mailgunSigningKey',
    default: [],
    parse: list,
    description:
      'Mailgun HTTP webhook signing key(s) (comma-separated while rotating). Enables POST /webhooks/mailgun',
  }),
  stripeWebhookSecret: key<string[]>({
    env: 'PULSE_STRIPE_WEBHOOK_SECRET',
    file: 'stripeWebhookSecret',
    default: [],
    parse: list,
    description:
      'Stripe endpoint signing secret(s) whsec_… (comma-separated while rolling). Enables POST /webhooks/stripe',
  }),
  snsCertDir: key({
    env: 'PULSE_SNS_CERT_DIR',
    file: 'snsCertDir',
    default: undefined,
    parse: optStr,
    description:
      'Directory of SNS signing certificates (SimpleNotificationService-<id>.pem), trusted without download; others are fetched from sns.<region>.amazonaws.com and cached in the data dir',
  }),
  snsTopicArns: key<string[]>({
    env: 'PULSE_SNS_TOPIC_ARNS',
    file: 'snsTopicArns',
    default: [],
    parse: list,
    description:
      'SNS topics (comma-separated ARNs) whose SES events POST /webhooks/ses accepts; any AWS account can sign for its own topics, so this list enables the endpoint',
  }),
  posthogWebhookSecret: key<string[]>({
    env: 'PULSE_POSTHOG_WEBHOOK_SECRET',
    file: 'posthogWebhookSecret',
    default: [],
    parse: list,
    description:
      'Shared secret(s) a PostHog webhook destination sends in X-Pulse-Webhook-Secret (comma-separated while rotating). Enables POST /webhooks/posthog',
  }),
  webhookToleranceSeconds: key({
    env: 'PULSE_WEBHOOK_TOLERANCE_SECONDS',
    file: 'webhookToleranceSeconds',
    default: 300,
    parse: int(0, 86_400 * 7),
    description:
      'Freshness window of signed webhooks in seconds, both directions; 0 = no age check. Per provider: PULSE_<PROVIDER>_TOLERANCE_SECONDS (SES defaults to 3900: SNS retries a message unchanged for up to an hour)',
  }),
  webhookTenantMap: key<TenantMapConfig>({
    env: 'PULSE_WEBHOOK_TENANT_MAP',
    file: 'webhookTenantMap',
    default: { domains: {}, stripeCustomers: {} },
    parse: tenantMap,
    description:
      'Tenants of provider events that carry none: {"domains": {"<sending domain>": "<tenant>"}, "stripeCustomers": {"cus_…": "<tenant>"}} (JSON); PUT /api/integrations/tenant-map adds to it',
  }),
  deliverabilityWindowMinutes: key({
    env: 'PULSE_DELIVERABILITY_WINDOW_MINUTES',
    file: 'deliverabilityWindowMinutes',
    default: 15,
    parse: int(1, 1440),
    description:
      'Length of the per-tenant, per-provider email windows reported as email_deliverability_event',
  }),
  ingestQueueMax: key({
    env: 'PULSE_INGEST_QUEUE_MAX',
    file: 'ingestQueueMax',
    default: 200_000,
    parse: int(1, 50_000_000),
    description: 'Events waiting for commit before capture answers 503',
  }),
  commitIntervalMs: key({
    env: 'PULSE_COMMIT_INTERVAL_MS',
    file: 'commitIntervalMs',
    default: 5,
    parse: int(0, 10_000),
    description: 'Group-commit window',
  }),
  ingestLog: key({
    env: 'PULSE_INGEST_LOG',
    file: 'ingestLog',
    default: true,
    parse: bool,
    description:
      'Acknowledge captures once in the fsynced ingest log, loading the store in bulk behind it (ADR 0002); false commits each group straight into the store',
  }),
  ingestBacklogMax: key({
    env: 'PULSE_INGEST_BACKLOG_MAX',
    file: 'ingestBacklogMax',
    default: 500_000,
    parse: int(1, 50_000_000),
    description:
      'Events acknowledged (ingest log) but not yet loaded into the store before capture answers 503',
  }),
  ingestLoadIntervalMs: key({
    env: 'PULSE_INGEST_LOAD_INTERVAL_MS',
    file: 'ingestLoadIntervalMs',
    default: 250,
    parse: int(1, 60_000),
    description: 'Longest an acknowledged event waits in the ingest log before a bulk load (or 50K events)',
  }),
  readBarrierTimeoutMs: key({
    env: 'PULSE_READ_BARRIER_TIMEOUT_MS',
    file: 'readBarrierTimeoutMs',
    default: 10_000,
    parse: int(1, 600_000),
    description: 'How long a read waits for the store to catch up with acknowledged events before a 503',
  }),
  logLevel: key({
    env: 'PULSE_LOG_LEVEL',
    file: 'logLevel',
    default: 'info',
    parse: str,
    description: 'pino log level',
  }),
  publicUrl: key({
    env: 'PULSE_PUBLIC_URL',
    file: 'publicUrl',
    default: undefined,
    parse: http,
    description: 'Public URL of this Pulse, for links in notifications',
  }),
  alertTickMs: key({
    env: 'PULSE_ALERT_TICK_MS',
    file: 'alertTickMs',
    default: 15_000,
    parse: int(100, 3_600_000),
    description: 'Timer for time-based alert rules',
  }),
  alertNotifyMaxAgeHours: key({
    env: 'PULSE_ALERT_NOTIFY_MAX_AGE_HOURS',
    file: 'alertNotifyMaxAgeHours',
    default: 24,
    parse: int(0, 8784),
    description: 'Alerts from events older than this are recorded, not pushed (backfills)',
  }),
  alertChannelsCritical: key<string[]>({
    env: 'PULSE_ALERT_CHANNELS_CRITICAL',
    file: 'alertChannelsCritical',
    default: ['slack', 'email', 'webhook'],
    parse: channelList,
    description: 'Channels for critical alerts',
  }),
  alertChannelsHigh: key<string[]>({
    env: 'PULSE_ALERT_CHANNELS_HIGH',
    file: 'alertChannelsHigh',
    default: ['slack', 'webhook'],
    parse: channelList,
    description: 'Channels for high alerts',
  }),
  digestChannels: key<string[]>({
    env: 'PULSE_DIGEST_CHANNELS',
    file: 'digestChannels',
    default: ['email', 'slack'],
    parse: channelList,
    description: 'Channels of the weekly digest of medium alerts',
  }),
  digestCron: key({
    env: 'PULSE_DIGEST_CRON',
    file: 'digestCron',
    default: '0 8 * * 1',
    parse: str,
    description: 'Schedule of the weekly digest (cron; off disables)',
  }),
  digestTimezone: key({
    env: 'PULSE_DIGEST_TIMEZONE',
    file: 'digestTimezone',
    default: 'UTC',
    parse: str,
    description: 'Time zone of the digest schedule',
  }),
  alertEmailFrom: key({
    env: 'PULSE_ALERT_EMAIL_FROM',
    file: 'alertEmailFrom',
    default: undefined,
    parse: optStr,
    description: 'From address of alert email',
  }),
  outboundAllowPrivate: key({
    env: 'PULSE_OUTBOUND_ALLOW_PRIVATE',
    file: 'outboundAllowPrivate',
    default: false,
    parse: bool,
    description: 'Let notifications reach private networks',
  }),
  outboundAllowHosts: key<string[]>({
    env: 'PULSE_OUTBOUND_ALLOW_HOSTS',
    file: 'outboundAllowHosts',
    default: [],
    parse: list,
    description: 'Private hosts notifications may reach',
  }),
  retention: key<RetentionPolicy[] | undefined>({
    env: 'PULSE_RETENTION',
    file: 'retention',
    default: undefined,
    parse: retentionPolicies,
    description: 'Retention policies stored at start when none are: [{event, tenant?, days}] (JSON)',
  }),
  retentionCron: key({
    env: 'PULSE_RETENTION_CRON',
    file: 'retentionCron',
    default: DEFAULT_RETENTION_CRON,
    parse: str,
    description: 'Schedule of the retention job (cron, UTC; off disables)',
  }),
  demo: key({
    env: 'PULSE_DEMO',
    file: 'demo',
    default: false,
    parse: bool,
    description: 'Load the demo data set into an empty store',
  }),
};

export type ConfigKey = keyof typeof configKeys;
export type Config = Readonly<{ [K in ConfigKey]: ReturnType<(typeof configKeys)[K]['parse']> }>;

/** Per-provider tolerance overrides: PULSE_<PROVIDER>_TOLERANCE_SECONDS. */
export const webhookProviders = ['sendgrid', 'mailgun', 'ses', 'stripe', 'posthog'] as const;
