import type pg from 'pg';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { runCaptureCountStoreContract } from '../capture-count-store.contract.js';
import { runReportScheduleStoreContract } from '../report-schedule-store.contract.js';
import { runSyncStoreContract } from '../sync-store.contract.js';
import { runWebhookStoreContract } from '../webhook-store.contract.js';
import { PgCaptureCountStore } from './pg-capture-count-store.js';
import { PgReportScheduleStore } from './pg-report-schedule-store.js';
import { PgSubscriptionStore } from './pg-subscription-store.js';
import { PgSyncStore } from './pg-sync-store.js';
import { PgWebhookStore } from './pg-webhook-store.js';

describeWithPostgres('PostgreSQL state stores', (postgres) => {
  /** Two pools on a fresh database, as two Pulse processes have; each opens the store (the tables) at once. */
  const twoProcesses = <Store>(open: (pool: pg.Pool) => Promise<Store>) =>
    async function () {
      const pools = (await postgres.freshPools(2)) as [pg.Pool, pg.Pool];
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
