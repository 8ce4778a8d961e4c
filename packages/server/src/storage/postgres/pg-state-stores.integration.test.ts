import { expect, it } from 'vitest';
import { runApiKeyStoreContract } from '../api-key-store.contract.js';
import { runRelayDeadLetterStoreContract } from '../relay-dead-letter-store.contract.js';
import { runRetentionStoreContract } from '../retention-store.contract.js';
import { runSubscriptionStoreContract } from '../subscription-store.contract.js';
import { runUserStoreContract } from '../user-store.contract.js';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import type pg from 'pg';
import { sql } from '../../sql.js';
import { query } from './pg-client.js';
import { PgApiKeyStore } from './pg-api-key-store.js';
import { PgRelayDeadLetterStore } from './pg-relay-dead-letter-store.js';
import { PgRetentionStore } from './pg-retention-store.js';
import { PgSubscriptionStore } from './pg-subscription-store.js';
import { PgUserStore } from './pg-user-store.js';

describeWithPostgres('PostgreSQL state stores', (postgres) => {
  /** A state store on a fresh database, closed with its pool. */
  const onFreshDatabase =
    <S>(open: (pool: pg.Pool) => Promise<S>) =>
    async () => {
      const pool = await postgres.freshPool();
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

  it('two processes seeding retention policies at once store one seed', async () => {
    const pools = await postgres.freshPools(3);
    const stores = await Promise.all(pools.slice(0, 2).map((pool) => PgRetentionStore.open(pool)));
    const seeds = stores.map((_, i) => [
      { event: '*' as const, tenant: null, days: 10 + i },
      { event: 'generic' as const, tenant: `only-${i}`, days: 1 },
    ]);
    // A gate: both seeds start while the table is held, and run once both wait on it.
    const gate = await pools[2]!.connect();
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE retention_policies IN ACCESS EXCLUSIVE MODE');
    const seeding = Promise.all(stores.map((store, i) => store.seedPolicies(seeds[i] ?? [], 0)));
    const waiting = sql`SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    while ((await query<{ n: number }>(gate, waiting))[0]?.n !== 2);
    await gate.query('COMMIT');
    gate.release();
    const seeded = await seeding;
    expect(seeded.filter(Boolean)).toHaveLength(1);
    expect(await stores[0]?.listPolicies()).toEqual(seeds[seeded.indexOf(true)]);
  });
});
