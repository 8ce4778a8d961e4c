import { afterAll, beforeAll, describe } from 'vitest';
import { runApiKeyStoreContract } from '../api-key-store.contract.js';
import { runRelayDeadLetterStoreContract } from '../relay-dead-letter-store.contract.js';
import { runRetentionStoreContract } from '../retention-store.contract.js';
import { runSubscriptionStoreContract } from '../subscription-store.contract.js';
import { runUserStoreContract } from '../user-store.contract.js';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/helpers/postgres.js';
import type pg from 'pg';
import { openPgPool } from './pg-client.js';
import { PgApiKeyStore } from './pg-api-key-store.js';
import { PgRelayDeadLetterStore } from './pg-relay-dead-letter-store.js';
import { PgRetentionStore } from './pg-retention-store.js';
import { PgSubscriptionStore } from './pg-subscription-store.js';
import { PgUserStore } from './pg-user-store.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(`PostgreSQL state stores ${unavailable ?? ''}`, () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => postgres?.stop());

  /** A state store on a fresh database, closed with its pool. */
  const onFreshDatabase =
    <S>(open: (pool: pg.Pool) => Promise<S>) =>
    async () => {
      const pool = openPgPool(await createStateDatabase(postgres));
      return { store: await open(pool), close: () => pool.end() };
    };

  runUserStoreContract(
    'PostgreSQL',
    onFreshDatabase((pool) => PgUserStore.open(pool)),
  );
  runApiKeyStoreContract(
    'PostgreSQL',
    onFreshDatabase((pool) => PgApiKeyStore.open(pool)),
  );
  runRetentionStoreContract(
    'PostgreSQL',
    onFreshDatabase((pool) => PgRetentionStore.open(pool)),
  );
  runSubscriptionStoreContract(
    'PostgreSQL',
    onFreshDatabase((pool) => PgSubscriptionStore.open(pool)),
  );
  runRelayDeadLetterStoreContract(
    'PostgreSQL',
    onFreshDatabase((pool) => PgRelayDeadLetterStore.open(pool)),
  );
});
