import { afterAll, beforeAll, describe } from 'vitest';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/helpers/postgres.js';
import { runWebhookStoreContract } from '../webhook-store.contract.js';
import { openPgPool } from './pg-client.js';
import { PgWebhookStore } from './pg-webhook-store.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(`PgWebhookStore ${unavailable ?? ''}`, () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => postgres?.stop());

  // Two pools on one database: two Pulse processes.
  runWebhookStoreContract('PostgreSQL', async () => {
    const url = await createStateDatabase(postgres);
    const pools = [openPgPool(url), openPgPool(url)] as const;
    const stores = await Promise.all(pools.map((pool) => PgWebhookStore.open(pool)));
    return {
      stores: [stores[0]!, stores[1]!],
      close: async () => {
        await Promise.all(pools.map((pool) => pool.end()));
      },
    };
  });
});
