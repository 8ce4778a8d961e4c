import type { OpenedDuckDb } from './open-database.js';
import { readRows, run, sql } from './sql.js';

/** The limit the cached blocks are evicted down to; what stays is pinned (in use) or in-memory tables. */
const EVICT_TO = '16MiB';

export interface ReleasedMemory {
  /** Bytes DuckDB's buffer manager held before and after (`duckdb_memory()`). */
  beforeBytes: number;
  afterBytes: number;
}

/**
 * Gives back the blocks DuckDB keeps cached after large scans (it keeps them up to memory_limit for the
 * next query): lowering the limit evicts them, then the configured limit is set back. A statement running
 * under the lowered limit could fail for want of memory, so this runs while no statement runs on the
 * database (its gate); the rest of the process waits those few milliseconds.
 */
export function releaseCachedBlocks(database: OpenedDuckDb): Promise<ReleasedMemory> {
  return database.exclusive(async (connection) => {
    const held = async () => {
      const [row] = await readRows(
        connection,
        sql`SELECT CAST(coalesce(sum(memory_usage_bytes), 0) AS DOUBLE) AS b FROM duckdb_memory()`,
      );
      return Number(row?.b ?? 0);
    };
    const beforeBytes = await held();
    try {
      await run(connection, sql`SET memory_limit = ${EVICT_TO}`);
    } catch (error) {
      // Blocks in use (an open transaction's) cannot go: what could be evicted was, keep the limit.
      if (!/memory/i.test((error as Error).message)) throw error;
    } finally {
      await run(connection, sql`SET memory_limit = ${database.memoryLimit}`);
    }
    return { beforeBytes, afterBytes: await held() };
  });
}
