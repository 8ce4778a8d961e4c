import { Type, type Static } from '@sinclair/typebox';
import { doc, errors, IdParams, IsoTime, literals, Nullable } from './common.js';

const count = Type.Integer({ minimum: 0 });

export const RelayDeadLetter = Type.Object({
  id: Type.String(),
  firstAt: IsoTime,
  lastAt: IsoTime,
  status: Type.Integer({ description: "The upstream's HTTP status when it refused the batch" }),
  reason: Type.String({ description: "The upstream's answer (its first 1000 characters)" }),
  count: Type.Integer({ minimum: 1, description: 'Events in the batch' }),
  attempts: Type.Integer({ minimum: 1, description: 'Times it was sent and refused' }),
});
export type RelayDeadLetter = Static<typeof RelayDeadLetter>;

export const RelayStatus = Type.Object({
  enabled: Type.Boolean({ description: 'PULSE_POSTHOG_HOST and PULSE_POSTHOG_PROJECT_TOKEN are set' }),
  host: Nullable(Type.String()),
  events: literals(['all', 'business'], 'Which accepted events are relayed (PULSE_POSTHOG_RELAY_EVENTS)'),
  position: Nullable(
    Type.Object(
      {
        position: count,
        skip: Type.Integer({ minimum: 0, description: 'Events of the record at `position` already sent' }),
      },
      { description: 'Ingest-log position acknowledged by the upstream' },
    ),
  ),
  lag: Type.Object({
    events: Type.Integer({ minimum: 0, description: 'Events accepted but not yet passed to the upstream' }),
    seconds: Type.Number({ minimum: 0, description: 'Age of the oldest of them (0 when caught up)' }),
  }),
  sent: Type.Integer({ minimum: 0, description: 'Events the upstream acknowledged since start' }),
  failedAttempts: Type.Integer({
    minimum: 0,
    description: 'Requests that failed and are retried, since start',
  }),
  dropped: Type.Integer({ minimum: 0, description: 'Events skipped over the backlog bound, since start' }),
  deadLetters: Type.Array(RelayDeadLetter),
});
export type RelayStatus = Static<typeof RelayStatus>;

export const RelayRetryResults = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Type.String(),
      delivered: Type.Boolean(),
      status: Nullable(Type.Integer({ description: "The upstream's status; null: no answer" })),
      reason: Nullable(Type.String({ description: 'Why it was not delivered' })),
    }),
  ),
});
export type RelayRetryResults = Static<typeof RelayRetryResults>;

export const relayRoutes = {
  getRelay: {
    ...doc(
      'The relay to PostHog: position, lag, counts, and the dead-lettered batches',
      'integrations:manage',
    ),
    querystring: Type.Object({}),
    response: { 200: RelayStatus, ...errors },
  },
  retryDeadLetter: {
    ...doc('Send one dead-lettered batch to PostHog again; delivered, it is removed', 'integrations:manage'),
    params: IdParams('Dead letter id'),
    response: { 200: RelayRetryResults, ...errors },
  },
  retryAllDeadLetters: {
    ...doc('Send every dead-lettered batch to PostHog again, oldest first', 'integrations:manage'),
    response: { 200: RelayRetryResults, ...errors },
  },
} as const;
