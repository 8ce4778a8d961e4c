import { BadValue, http, int, key, optStr } from './keys.js';

export type RelayEvents = 'all' | 'business';

const relayEvents = (raw: unknown): RelayEvents => {
  const value = optStr(raw) ?? 'all';
  if (value !== 'all' && value !== 'business') throw new BadValue('must be all or business');
  return value;
};

/** Relay to PostHog: every accepted event forwarded, in log order, to an upstream PostHog project. */
export const relayKeys = {
  posthogHost: key({
    env: 'PULSE_POSTHOG_HOST',
    file: 'posthogHost',
    default: undefined,
    parse: http,
    description:
      'PostHog to relay accepted events to, e.g. https://us.i.posthog.com (with PULSE_POSTHOG_PROJECT_TOKEN); unset: no relay',
  }),
  posthogProjectToken: key({
    env: 'PULSE_POSTHOG_PROJECT_TOKEN',
    file: 'posthogProjectToken',
    default: undefined,
    parse: optStr,
    description:
      'Project token (phc_…) the relayed events are sent with, as api_key (with PULSE_POSTHOG_HOST)',
  }),
  posthogRelayEvents: key<RelayEvents>({
    env: 'PULSE_POSTHOG_RELAY_EVENTS',
    file: 'posthogRelayEvents',
    default: 'all',
    parse: relayEvents,
    description: 'Which accepted events the relay forwards: all, or business (catalog business events only)',
  }),
  posthogRelayMaxBacklogMb: key({
    env: 'PULSE_POSTHOG_RELAY_MAX_BACKLOG_MB',
    file: 'posthogRelayMaxBacklogMb',
    default: 2048,
    parse: int(1, 1_048_576),
    description:
      'Ingest log (MiB) kept for a relay that cannot deliver; past it the oldest events are dropped from the relay (counted in pulse_relay_dropped_events_total and logged), never from Pulse',
  }),
};
