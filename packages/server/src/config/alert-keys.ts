import { BadValue, http, int, key, list, optStr, str, url } from './keys.js';

const channelList = (raw: unknown): string[] => {
  const items = list(raw);
  const bad = items.find((c) => !['slack', 'email', 'webhook'].includes(c));
  if (bad !== undefined) throw new BadValue(`names an unknown channel "${bad}" (slack, email, webhook)`);
  return items;
};

/** Alert channels, delivery and the digest. */
export const alertKeys = {
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
  alertEmailFrom: key({
    env: 'PULSE_ALERT_EMAIL_FROM',
    file: 'alertEmailFrom',
    default: undefined,
    parse: optStr,
    description: 'From address of alert email',
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
  alertPreviewMaxEvents: key({
    env: 'PULSE_ALERT_PREVIEW_MAX_EVENTS',
    file: 'alertPreviewMaxEvents',
    default: 500_000,
    parse: int(1, 10_000_000),
    description: 'Most events a rule preview replays; beyond it the preview is truncated',
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
};
