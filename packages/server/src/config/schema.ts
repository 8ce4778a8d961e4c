import { BadValue, bool, int, list, optStr, str, url, type KeySpec } from './keys.js';

const key = <T>(spec: KeySpec<T>): KeySpec<T> => spec;
const http = url(['http:', 'https:']);
const channelList = (raw: unknown): string[] => {
  const items = list(raw);
  const bad = items.find((c) => !['slack', 'email', 'webhook'].includes(c));
  if (bad !== undefined) throw new BadValue(`names an unknown channel "${bad}" (slack, email, webhook)`);
  return items;
};

/** Every setting Pulse reads (SPEC §6). Env wins over pulse.config.json, which wins over the default. */
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
  projectTokens: key<string[]>({
    env: 'PULSE_PROJECT_TOKEN',
    file: 'projectTokens',
    default: [],
    parse: list,
    description: 'Ingest tokens capture accepts (comma-separated); empty accepts any well-formed token',
  }),
  adminKey: key({
    env: 'PULSE_ADMIN_KEY',
    file: 'adminKey',
    default: undefined,
    parse: optStr,
    description: 'Bootstrap admin API key',
  }),
  encryptionKeyFile: key({
    env: 'PULSE_ENCRYPTION_KEY_FILE',
    file: 'encryptionKeyFile',
    default: undefined,
    parse: optStr,
    description: 'File holding the at-rest encryption key',
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
  sendgridPublicKey: key({
    env: 'PULSE_SENDGRID_PUBLIC_KEY',
    file: 'sendgridPublicKey',
    default: undefined,
    parse: optStr,
    description: 'SendGrid signed-webhook public key',
  }),
  mailgunSigningKey: key({
    env: 'PULSE_MAILGUN_SIGNING_KEY',
    file: 'mailgunSigningKey',
    default: undefined,
    parse: optStr,
    description: 'Mailgun webhook signing key',
  }),
  stripeWebhookSecret: key({
    env: 'PULSE_STRIPE_WEBHOOK_SECRET',
    file: 'stripeWebhookSecret',
    default: undefined,
    parse: optStr,
    description: 'Stripe webhook secret',
  }),
  snsCertDir: key({
    env: 'PULSE_SNS_CERT_DIR',
    file: 'snsCertDir',
    default: undefined,
    parse: optStr,
    description: 'Directory of trusted SNS signing certificates',
  }),
  webhookToleranceSeconds: key({
    env: 'PULSE_WEBHOOK_TOLERANCE_SECONDS',
    file: 'webhookToleranceSeconds',
    default: 300,
    parse: int(0, 86_400 * 7),
    description: 'Freshness window of signed webhooks; 0 = no age check',
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
