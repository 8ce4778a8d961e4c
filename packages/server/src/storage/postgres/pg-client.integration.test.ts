import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../sql.js';
import {
  createStateDatabase,
  postgresUnavailable,
  startPostgres,
  type TestPostgres,
} from '../../../test/helpers/postgres.js';
import { inTransaction, openPgPool, query } from './pg-client.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(`the PostgreSQL client ${unavailable ?? ''}`, () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => postgres?.stop());

  it('binds `sql` values as parameters, reads BIGINT as numbers and rolls a failed transaction back', async () => {
    const pool = openPgPool(await createStateDatabase(postgres));
    try {
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
    } finally {
      await pool.end();
    }
  });
});
