import type { AlertStore } from './alert-store.js';
import type { AnalyticsReads } from './analytics-reads.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { AuditLog } from './audit-log.js';
import type { EventStore } from './event-store.js';
import type { CaptureCountStore, InsightReads } from './insight-store.js';
import type { ForecastSeriesStore } from './forecast-series-store.js';
import type { QueryRunner } from './query-runner.js';
import type { RelayDeadLetterStore } from './relay-dead-letter-store.js';
import type { ReportScheduleStore } from './report-schedule-store.js';
import type { RetentionStore } from './retention-store.js';
import type { SubscriptionStore } from './subscription-store.js';
import type { SyncStore } from './sync-store.js';
import type { UserStore } from './user-store.js';
import type { WebhookStore } from './webhook-store.js';

/** Everything Pulse keeps, behind engine-neutral interfaces; opened once by the composition root. */
export interface Storage {
  events: EventStore;
  subscriptions: SubscriptionStore;
  queries: QueryRunner;
  analyticsReads: AnalyticsReads;
  alerts: AlertStore;
  apiKeys: ApiKeyStore;
  audit: AuditLog;
  retention: RetentionStore;
  users: UserStore;
  webhooks: WebhookStore;
  insights: InsightReads;
  captureCounts: CaptureCountStore;
  forecastSeries: ForecastSeriesStore;
  sync: SyncStore;
  relayDeadLetters: RelayDeadLetterStore;
  reportSchedules: ReportScheduleStore;
}

/** The small mutable state (as opposed to the events and what reads only them): kept in the embedded store, or in PostgreSQL. */
export type StateStores = Pick<
  Storage,
  | 'subscriptions'
  | 'alerts'
  | 'apiKeys'
  | 'audit'
  | 'retention'
  | 'users'
  | 'webhooks'
  | 'captureCounts'
  | 'sync'
  | 'relayDeadLetters'
  | 'reportSchedules'
>;
