import type { StoredEvent } from '../event-store.js';
import { ident, sql } from '../../sql.js';
import { eventColumns, isIn } from './clauses.js';
import type { ClickHouseConnection } from './connection.js';
import { toStoredEvent, VersionClock } from './rows.js';
import { EVENTS_TABLE } from './schema.js';

const events = ident(EVENTS_TABLE);
const POSITIONS_TABLE = 'migration_positions';
const positions = ident(POSITIONS_TABLE);

/** The stored rows of these uuids, every copy not yet collapsed included (a copy compares them all). */
export async function storedEventsOf(
  connection: ClickHouseConnection,
  uuids: readonly string[],
): Promise<StoredEvent[]> {
  if (!uuids.length) return [];
  const rows = await connection.rows(
    sql`SELECT ${eventColumns} FROM ${events} WHERE ${isIn(sql`toString(uuid)`, uuids)}`,
  );
  return rows.map((r) => toStoredEvent(r));
}

/** Every row the events table holds, copies not yet collapsed included: what a copy may have written. */
export async function storedRowCount(connection: ClickHouseConnection): Promise<number> {
  const [row] = await connection.rows<{ n: number }>(sql`SELECT count() AS n FROM ${events}`);
  return Number(row?.n ?? 0);
}

/** Insert bodies made by `storedEventLines`, as one insert; resolves once ClickHouse acknowledged it. */
export function insertEventLines(connection: ClickHouseConnection, bodies: readonly Buffer[]): Promise<void> {
  return connection.insertLines(EVENTS_TABLE, bodies);
}

/** Visits every stored event once (FINAL: copies collapsed), in no particular order. */
export function forEachStoredEvent(
  connection: ClickHouseConnection,
  visit: (event: StoredEvent) => void,
): Promise<number> {
  return connection.forEachRow<Record<string, unknown>>(
    sql`SELECT ${eventColumns} FROM ${events} FINAL`,
    (row) => visit(toStoredEvent(row)),
  );
}

/** Rows after collapsing copies, and distinct uuids: they differ when one uuid holds different events. */
export async function eventTotals(
  connection: ClickHouseConnection,
): Promise<{ rows: number; uuids: number }> {
  const [row] = await connection.rows<{ n: number; u: number }>(
    sql`SELECT count() AS n, uniqExact(uuid) AS u FROM ${events} FINAL`,
  );
  return { rows: Number(row?.n ?? 0), uuids: Number(row?.u ?? 0) };
}

/**
 * Where a copy into this database has got to, per source and stream (text the copy chooses); the latest
 * write wins. Kept in the target, so it is recorded only once what it points past has been acknowledged.
 */
export class MigrationPositions {
  private readonly versions = new VersionClock();

  private constructor(private readonly connection: ClickHouseConnection) {}

  static async open(connection: ClickHouseConnection): Promise<MigrationPositions> {
    await connection.ddl(`CREATE TABLE IF NOT EXISTS ${POSITIONS_TABLE} (
  source String, stream String, position String, version UInt64)
ENGINE = ReplacingMergeTree(version)
ORDER BY (source, stream)`);
    return new MigrationPositions(connection);
  }

  async get(source: string, stream: string): Promise<string | null> {
    const [row] = await this.connection.rows<{ p: string; n: number }>(
      sql`SELECT argMax(position, version) AS p, count() AS n FROM ${positions}
        WHERE source = ${source} AND stream = ${stream}`,
    );
    return row && Number(row.n) > 0 ? row.p : null;
  }

  async set(source: string, stream: string, position: string): Promise<void> {
    const version = this.versions.next();
    await this.connection.insertLines(POSITIONS_TABLE, [
      Buffer.from(`${JSON.stringify({ source, stream, position }).slice(0, -1)},"version":${version}}\n`),
    ]);
  }
}
