import type { SafeFetch } from '../../net/safe-fetch.js';
import type { AlertSettings } from '../settings.js';
import type { ChannelKind } from '../types.js';
import type { Channel } from './channel.js';
import { dashboardChannel, type DashboardStream } from './dashboard.js';
import { emailChannel } from './email.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';

export { DeliveryError, type Channel } from './channel.js';
export { DashboardStream, type DashboardEvent } from './dashboard.js';

/** Every channel, keyed by kind: adding a ChannelKind without its channel fails to compile. */
export type ChannelRegistry = Readonly<Record<ChannelKind, Channel>>;

export function createChannels(deps: {
  settings: AlertSettings;
  fetch: SafeFetch;
  dashboard: DashboardStream;
}): ChannelRegistry {
  return {
    slack: slackChannel(deps.settings, deps.fetch),
    email: emailChannel(deps.settings),
    webhook: webhookChannel(deps.settings, deps.fetch),
    dashboard: dashboardChannel(deps.dashboard),
  };
}

/** Configuration problems of all channels, for a warning at start. */
export function channelProblems(channels: ChannelRegistry): string[] {
  return Object.values(channels).flatMap((c) => c.validateConfig());
}
