import { expect, it } from 'vitest';
import { sql } from '../../sql.js';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { createSchema, inTransaction, query } from './pg-client.js';

describeWithPostgres('the PostgreSQL client', (postgres) => {
  it('binds `sql` values as parameters, reads BIGINT as numbers and rolls a failed transaction back', async () => {
    const pool = await postgres.freshPool();
    await query(pool, sql`CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT)`);
    const name = `O'Brien"; DROP TABLE t; --`;
    await query(pool, sql`INSERT INTO t VALUES (${1_700_000_000_000}, ${name})`);
    await expect(
      inTransaction(pool, async (client) => {
        await query(client, sql`INSERT INTO t VALUES (${2}, ${'kept?'})`);
        await query(client, sql`INSERT INTO t VALUES (${2}, ${'duplicate'})`);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await query(pool, sql`SELECT id, name FROM t ORDER BY id`)).toEqual([
      { id: 1_700_000_000_000, name },
    ]);
  });

  it('creates a schema once when several processes start at the same moment', async () => {
    const pools = await postgres.freshPools(4);
    const schema = [
      sql`CREATE TABLE IF NOT EXISTS racing (id TEXT PRIMARY KEY, at BIGINT NOT NULL)`,
      sql`CREATE INDEX IF NOT EXISTS racing_at ON racing (at)`,
    ];
    await Promise.all(pools.map((pool) => createSchema(pool, schema)));
    expect(await query(pools[0]!, sql`SELECT count(*) AS n FROM racing`)).toEqual([{ n: 0 }]);
  });
});
