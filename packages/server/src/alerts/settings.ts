import type { Config } from '../config/index.js';
import type { DurableChannelKind } from './types.js';

/** What the alert engine, its channels and the digest read from configuration, injected. */
export interface AlertSettings {
  /** Base of links in notifications (PULSE_PUBLIC_URL); null: no link. */
  publicUrl: string | null;
  /** Timer of time-based rules (overdue reviews, closing windows, auto-resolve). */
  tickMs: number;
  /** Triggers older than this (backfills, imports, the demo) are recorded but not pushed. */
  notifyMaxAgeMs: number;
  /** Most events a rule preview replays (history before its range included). */
  previewMaxEvents: number;
  /** Push channels per tier; the dashboard always gets everything. Medium goes to the digest. */
  routes: { critical: DurableChannelKind[]; high: DurableChannelKind[]; digest: DurableChannelKind[] };
  /** croner pattern of the weekly digest of medium alerts (default Monday 08:00); null ('' or 'off') disables it. */
  digestCron: string | null;
  digestTimezone: string;
  delivery: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  slack: { webhookUrl: string | null };
  email: { smtpUrl: string | null; from: string; to: readonly string[] };
  webhook: { url: string | null; secret: string | null };
  outbound: {
    allowPrivateNetworks: boolean;
    allowHosts: readonly string[];
    timeoutMs: number;
    retries: number;
    retryBaseMs: number;
  };
}

/** Settings keys not in config/schema.ts yet (see the wiring notes); all optional with defaults. */
export interface AlertConfigExtras {
  publicUrl?: string | undefined;
  alertTickMs?: number;
  alertNotifyMaxAgeHours?: number;
  alertPreviewMaxEvents?: number;
  alertChannelsCritical?: readonly string[];
  alertChannelsHigh?: readonly string[];
  digestChannels?: readonly string[];
  digestCron?: string | undefined;
  digestTimezone?: string;
  alertEmailFrom?: string | undefined;
  outboundAllowPrivate?: boolean;
  outboundAllowHosts?: readonly string[];
}

const durable = (
  list: readonly string[] | undefined,
  fallback: DurableChannelKind[],
): DurableChannelKind[] =>
  list === undefined
    ? fallback
    : list.filter((c): c is DurableChannelKind => c === 'slack' || c === 'email' || c === 'webhook');

/** Settings from the loaded configuration; keys not yet in the schema fall back to their defaults. */
export function alertSettingsFrom(
  config: Partial<
    Pick<Config, 'slackWebhookUrl' | 'smtpUrl' | 'alertEmailTo' | 'alertWebhookUrl' | 'alertWebhookSecret'>
  > &
    AlertConfigExtras,
): AlertSettings {
  return {
    publicUrl: config.publicUrl?.replace(/\/$/, '') ?? null,
    tickMs: config.alertTickMs ?? 15_000,
    notifyMaxAgeMs: (config.alertNotifyMaxAgeHours ?? 24) * 3_600_000,
    previewMaxEvents: config.alertPreviewMaxEvents ?? 500_000,
    routes: {
      critical: durable(config.alertChannelsCritical, ['slack', 'email', 'webhook']),
      high: durable(config.alertChannelsHigh, ['slack', 'webhook']),
      digest: durable(config.digestChannels, ['email', 'slack']),
    },
    digestCron: ['', 'off'].includes(config.digestCron ?? '0 8 * * 1')
      ? null
      : (config.digestCron ?? '0 8 * * 1'),
    digestTimezone: config.digestTimezone ?? 'UTC',
    delivery: { maxAttempts: 12, baseDelayMs: 1_000, maxDelayMs: 10 * 60_000 },
    slack: { webhookUrl: config.slackWebhookUrl ?? null },
    email: {
      smtpUrl: config.smtpUrl ?? null,
      from: config.alertEmailFrom ?? 'Pulse <pulse@localhost>',
      to: config.alertEmailTo ?? [],
    },
    webhook: { url: config.alertWebhookUrl ?? null, secret: config.alertWebhookSecret ?? null },
    outbound: {
      allowPrivateNetworks: config.outboundAllowPrivate ?? false,
      allowHosts: config.outboundAllowHosts ?? [],
      timeoutMs: 5_000,
      retries: 2,
      retryBaseMs: 200,
    },
  };
}
