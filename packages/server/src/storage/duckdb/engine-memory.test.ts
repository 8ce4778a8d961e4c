import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';
import { releaseCachedBlocks } from './engine-memory.js';
import { openDuckDb, type OpenedDuckDb } from './open-database.js';
import { readRows, sql } from './sql.js';

const opened: OpenedDuckDb[] = [];
afterEach(() => {
  for (const database of opened.splice(0)) database.instance.closeSync();
});

async function open(memoryLimit: string) {
  const database = await openDuckDb({
    path: join(temporaryDirectory('pulse-engine-memory-'), 'x.duckdb'),
    memoryLimit,
  });
  opened.push(database);
  return { database, connection: await database.connect() };
}

// Needs more than 16 MiB of the buffer manager's memory (a distinct aggregate's hash table).
const HUNGRY = sql`SELECT count(DISTINCT i) AS n FROM range(3000000) t(i)`;

describe('releaseCachedBlocks', () => {
  it('evicts the blocks a scan left cached and sets the configured limit back', async () => {
    const { database, connection } = await open('256MiB');
    await connection.run(`CREATE TABLE t AS SELECT i, md5(i::VARCHAR) AS s FROM range(1000000) t(i)`);
    await connection.run('CHECKPOINT');
    await connection.run('SELECT max(s), sum(i) FROM t');
    const released = await releaseCachedBlocks(database);
    expect(released.beforeBytes).toBeGreaterThan(16 * 2 ** 20);
    expect(released.afterBytes).toBeLessThanOrEqual(16 * 2 ** 20);
    const [row] = await readRows(connection, sql`SELECT current_setting('memory_limit') AS m`);
    expect(row?.m).toBe('256.0 MiB');
    expect(await readRows(connection, HUNGRY)).toEqual([{ n: 3_000_000n }]);
  });
});

describe("a database's statement gate", () => {
  it('runs exclusive work after the statements in flight and before the ones asked meanwhile', async () => {
    const { database, connection } = await open('256MiB');
    const other = await database.connect();
    const order: string[] = [];
    const first = readRows(connection, HUNGRY).then(() => order.push('statement in flight'));
    const work = database.exclusive(async () => {
      order.push('exclusive work');
    });
    const later = readRows(other, sql`SELECT 1 AS one`).then(() => order.push('statement asked meanwhile'));
    await Promise.all([first, work, later]);
    expect(order).toEqual(['statement in flight', 'exclusive work', 'statement asked meanwhile']);
  });

  it('holds an appender from its creation to its close, and a streamed result per chunk', async () => {
    const { database, connection } = await open('256MiB');
    await connection.run('CREATE TABLE a (i INTEGER)');
    const order: string[] = [];
    const appender = await connection.createAppender('a');
    const work = database.exclusive(async () => {
      order.push('exclusive work');
    });
    appender.appendInteger(1);
    appender.endRow();
    order.push('appended');
    appender.closeSync();
    await work;
    expect(order).toEqual(['appended', 'exclusive work']);

    const streamed = await connection.stream('SELECT i FROM range(5000) t(i)');
    const fetched = streamed.fetchChunk().then(() => order.push('chunk'));
    const again = database.exclusive(async () => {
      order.push('exclusive again');
    });
    await Promise.all([fetched, again]);
    expect(order.slice(2)).toEqual(['chunk', 'exclusive again']);
  });

  it('refuses the entry points that would run a statement past it', async () => {
    const { connection } = await open('256MiB');
    await expect(async () => connection.prepare('SELECT 1')).rejects.toThrow(/not supported here/);
  });
});
