import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventHistorySource, EventStateSource } from '../alert-store.js';
import type { StateStores } from '../storage.js';
import { PgAlertStore } from './pg-alert-store.js';
import { PgApiKeyStore } from './pg-api-key-store.js';
import { PgAuditLog } from './pg-audit-log.js';
import { PgRelayDeadLetterStore } from './pg-relay-dead-letter-store.js';
import { PgReportScheduleStore } from './pg-report-schedule-store.js';
import { PgRetentionStore } from './pg-retention-store.js';
import { PgSubscriptionStore } from './pg-subscription-store.js';
import { PgSyncStore } from './pg-sync-store.js';
import { PgUserStore } from './pg-user-store.js';
import { PgWebhookStore } from './pg-webhook-store.js';

/** What the state stores need besides the pool: the alert rules rebuild from the stored events. */
export interface PostgresStateContext {
  alertEvents: EventStateSource & EventHistorySource;
  logger?: Logger;
}

type Opener<K extends keyof StateStores> = (
  pool: pg.Pool,
  context: PostgresStateContext,
) => Promise<StateStores[K]>;

/** Each state store's PostgreSQL adapter; null: none yet, so PULSE_STATE_URL is refused. */
const adapters: { [K in keyof StateStores]: Opener<K> | null } = {
  users: (pool) => PgUserStore.open(pool),
  apiKeys: (pool) => PgApiKeyStore.open(pool),
  audit: (pool) => PgAuditLog.open(pool),
  retention: (pool) => PgRetentionStore.open(pool),
  subscriptions: (pool) => PgSubscriptionStore.open(pool),
  relayDeadLetters: (pool) => PgRelayDeadLetterStore.open(pool),
  alerts: (pool, { alertEvents, logger }) => PgAlertStore.open(pool, alertEvents, logger),
  webhooks: (pool) => PgWebhookStore.open(pool),
  reportSchedules: (pool) => PgReportScheduleStore.open(pool),
  sync: (pool) => PgSyncStore.open(pool),
  // Both read the events as well as keep state: they need the event engine's half first.
  insights: null,
  forecastSeries: null,
};

/** The state stores that cannot be kept in PostgreSQL yet. */
export function statesWithoutPostgres(): (keyof StateStores)[] {
  return (Object.keys(adapters) as (keyof StateStores)[]).filter((name) => adapters[name] === null);
}

/** Throws, naming them, when some state stores cannot be kept in PostgreSQL: the state is never split. */
export function refuseIncompletePostgresState(): void {
  const missing = statesWithoutPostgres();
  if (missing.length)
    throw new Error(
      `PULSE_STATE_URL is set, but this build cannot keep these stores in PostgreSQL yet: ${missing.join(', ')}. ` +
        'Unset PULSE_STATE_URL to keep all state in the embedded store.',
    );
}

/** Every state store on `pool`, each creating its tables if they are missing. */
export async function openPostgresState(pool: pg.Pool, context: PostgresStateContext): Promise<StateStores> {
  refuseIncompletePostgresState();
  return (await openPostgresAdapters(pool, context)) as StateStores;
}

/** The state stores that have a PostgreSQL adapter, on `pool`, each creating its tables if they are missing. */
export async function openPostgresAdapters(
  pool: pg.Pool,
  context: PostgresStateContext,
): Promise<Partial<StateStores>> {
  const stores: Partial<Record<keyof StateStores, unknown>> = {};
  // One after another: each creates its tables under the schema lock.
  for (const [name, adapter] of Object.entries(adapters))
    if (adapter) stores[name as keyof StateStores] = await adapter(pool, context);
  return stores as Partial<StateStores>;
}
