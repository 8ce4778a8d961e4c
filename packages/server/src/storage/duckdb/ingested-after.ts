import { businessEventNames } from '@pulse/events';
import type { IngestedAfterQuery, IngestedRow, IngestionMark } from '../alert-store.js';
import type { Row } from './alert-rows.js';
import { plain } from './alert-rows.js';
import { eventDeletionsSql } from './rollup-sql.js';
import { eventTables } from './schema.js';
import { ident, join, sql, stringList, timestamp, type Sql } from './sql.js';

/* What saved alert-rule state is resumed with: the store's mark, and the events ingested since the save. */

export async function ingestionMark(rows: (statement: Sql) => Promise<Row[]>): Promise<IngestionMark> {
  const tables = businessEventNames.map((e) => ident(eventTables[e].table));
  const newest = join(
    tables.map((table) => sql`SELECT max(ingested_at) AS m FROM ${table}`),
    ' UNION ALL ',
  );
  const atNewest = join(
    tables.map((table) => sql`SELECT uuid, ingested_at FROM ${table} WHERE ingested_at = (SELECT m FROM hw)`),
    ' UNION ALL ',
  );
  const [deletions] = await rows(eventDeletionsSql);
  // One statement: the instant and its uuids from the same snapshot of the store.
  const found = await rows(sql`WITH hw AS (SELECT max(m) AS m FROM (${newest}))
    SELECT epoch_ms(hw.m) AS m, CAST(a.uuid AS VARCHAR) AS u FROM hw LEFT JOIN (${atNewest}) a ON true`);
  const at = found[0]?.m;
  return {
    deletions: Number(deletions?.n ?? 0),
    newestIngestedAt: at === null || at === undefined ? null : Number(at),
    uuidsAtNewest: found.flatMap((r) => (typeof r.u === 'string' ? [r.u] : [])),
  };
}

/**
 * The events of these types a saved state does not hold, oldest ingestion first (rows are stored in
 * ingestion order: zone maps skip the rest). The uuids at the saved
 * instant are one bound list, matched by a hash join.
 */
export async function ingestedAfter(
  rows: (statement: Sql) => Promise<Row[]>,
  query: IngestedAfterQuery,
): Promise<IngestedRow[]> {
  const at = timestamp(query.ingestedAt);
  const found: IngestedRow[] = [];
  for (const event of query.events) {
    const { table, propertyColumns } = eventTables[event];
    const columns = propertyColumns.map((c) => c.name);
    const values = join(
      columns.map((c, i) => sql`, ${ident(c)} AS ${ident(`c${i}`)}`),
      '',
    );
    const statement = sql`WITH applied AS MATERIALIZED (SELECT unnest(${stringList(query.uuids)}) AS u)
      SELECT tenant_id, uuid::VARCHAR AS __uuid, epoch_ms("timestamp") AS __ts, epoch_ms(ingested_at) AS __ing${values}
      FROM ${ident(table)}
      WHERE tenant_id IS NOT NULL
        AND (ingested_at > ${at} OR (ingested_at = ${at} AND CAST(uuid AS VARCHAR) NOT IN (SELECT u FROM applied)))
      ORDER BY ingested_at, rowid`;
    for (const r of await rows(statement)) {
      const props: Record<string, unknown> = { tenant_id: String(r.tenant_id) };
      // Absent properties are stored as NULL; the evaluators see them absent, as on the live stream.
      columns.forEach((c, i) => {
        const value = plain(r[`c${i}`]);
        if (value !== null && value !== undefined) props[c] = value;
      });
      found.push({
        event,
        tenantId: String(r.tenant_id),
        uuid: String(r.__uuid),
        timestamp: Number(r.__ts),
        ingestedAt: Number(r.__ing),
        values: props,
      });
    }
  }
  // One order across the types by ingestion instant (one commit each); stable: each type keeps its stored order.
  return found.sort((a, b) => a.ingestedAt - b.ingestedAt);
}
