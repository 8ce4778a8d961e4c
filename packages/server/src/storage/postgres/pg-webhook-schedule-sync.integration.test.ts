import type pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/helpers/postgres.js';
import { runCaptureCountStoreContract } from '../capture-count-store.contract.js';
import { runReportScheduleStoreContract } from '../report-schedule-store.contract.js';
import { runSyncStoreContract } from '../sync-store.contract.js';
import { runWebhookStoreContract } from '../webhook-store.contract.js';
import { openPgPool } from './pg-client.js';
import { PgCaptureCountStore } from './pg-capture-count-store.js';
import { PgReportScheduleStore } from './pg-report-schedule-store.js';
import { PgSubscriptionStore } from './pg-subscription-store.js';
import { PgSyncStore } from './pg-sync-store.js';
import { PgWebhookStore } from './pg-webhook-store.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(`PostgreSQL state stores ${unavailable ?? ''}`, () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => postgres?.stop());

  /** Two pools on a fresh database, as two Pulse processes have; each opens the store (the tables) at once. */
  const twoProcesses = <Store>(open: (pool: pg.Pool) => Promise<Store>) =>
    async function () {
      const url = await createStateDatabase(postgres);
      const pools = [openPgPool(url), openPgPool(url)] as const;
      const [a, b] = await Promise.all(pools.map(open));
      return {
        stores: [a!, b!] as [Store, Store],
        pools,
        close: async () => {
          await Promise.all(pools.map((pool) => pool.end()));
        },
      };
    };

  runWebhookStoreContract(
    'PostgreSQL',
    twoProcesses((pool) => PgWebhookStore.open(pool)),
  );
  runReportScheduleStoreContract(
    'PostgreSQL',
    twoProcesses((pool) => PgReportScheduleStore.open(pool)),
  );
  runCaptureCountStoreContract(
    'PostgreSQL',
    twoProcesses((pool) => PgCaptureCountStore.open(pool)),
  );
  runSyncStoreContract('PostgreSQL', async () => {
    const shared = await twoProcesses((pool) => PgSyncStore.open(pool))();
    return { ...shared, subscriptions: await PgSubscriptionStore.open(shared.pools[0]) };
  });
});
