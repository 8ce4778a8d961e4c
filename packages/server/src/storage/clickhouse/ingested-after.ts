import { businessEventNames, type BusinessEventName } from '@pulse/events';
import type { IngestedAfterQuery, IngestedRow, IngestionMark } from '../alert-store.js';
import { ident, sql } from '../../sql.js';
import { kindsOf, valueColumns, valuesOf } from './alert-event-reads.js';
import { inStringSet, isIn } from './clauses.js';
import type { ClickHouseConnection } from './connection.js';
import { eventDeletionsSql } from './rollup-sql.js';
import { EVENTS_TABLE, typedProperties } from './schema.js';

/*
 * What saved alert-rule state is resumed with (alerts/rule-state.ts): the store's mark, and the events
 * ingested since the save, as the embedded store reads them (storage/duckdb/ingested-after.ts).
 */

const events = ident(EVENTS_TABLE);
const uuidText = sql`toString(uuid)`;

export async function ingestionMark(connection: ClickHouseConnection): Promise<IngestionMark> {
  const business = isIn(sql`event`, businessEventNames);
  const [deletions] = await connection.rows<{ n: number }>(eventDeletionsSql);
  // One statement: the instant and its uuids from the same state of the table; no rows, no events (18.16's
  // max over nothing is 0, not NULL). groupUniqArray keeps a row written twice (not merged yet) once.
  const [newest] = await connection.rows<{ ts: number; uuids: string[] }>(
    sql`SELECT ingested_at AS ts, groupUniqArray(${uuidText}) AS uuids FROM ${events}
      WHERE ${business} AND ingested_at = (SELECT max(ingested_at) FROM ${events} WHERE ${business})
      GROUP BY ingested_at`,
  );
  return {
    deletions: Number(deletions?.n ?? 0),
    newestIngestedAt: newest ? Number(newest.ts) : null,
    uuidsAtNewest: newest ? [...newest.uuids] : [],
  };
}

async function ofTypeAfter(
  connection: ClickHouseConnection,
  event: BusinessEventName,
  query: IngestedAfterQuery,
): Promise<IngestedRow[]> {
  const columns = [...(typedProperties.get(event)?.keys() ?? [])];
  const kinds = kindsOf(event, columns);
  const at = Math.trunc(query.ingestedAt);
  // PREWHERE on ingested_at reads only the parts holding newer rows; LIMIT 1 BY keeps one row per uuid
  // (a row written twice stays two until its parts merge).
  const rows = await connection.rows(
    sql`SELECT tenant_id, ${uuidText} AS __uuid, timestamp AS __ts, ingested_at AS __ing${valueColumns(columns)}
      FROM ${events} PREWHERE ingested_at >= ${at}
      WHERE event = ${event} AND has_tenant = 1
        AND (ingested_at > ${at} OR NOT ${inStringSet(uuidText, query.uuids)})
      ORDER BY __ing, __uuid LIMIT 1 BY __uuid`,
  );
  return rows.map((r) => {
    const values: Record<string, unknown> = { tenant_id: String(r.tenant_id) };
    // Absent properties read as NULL (an empty list); the evaluators see them absent, as on the live stream.
    for (const [c, value] of Object.entries(valuesOf(r, columns, kinds)))
      if (value !== null) values[c] = value;
    return {
      event,
      tenantId: String(r.tenant_id),
      uuid: String(r.__uuid),
      timestamp: Number(r.__ts),
      ingestedAt: Number(r.__ing),
      values,
    };
  });
}

/**
 * The events of these types a saved state does not hold, oldest ingestion first; within one instant (one
 * commit) by uuid, the table keeping no insertion order.
 */
export async function ingestedAfter(
  connection: ClickHouseConnection,
  query: IngestedAfterQuery,
): Promise<IngestedRow[]> {
  const found: IngestedRow[] = [];
  for (const event of query.events)
    for (const row of await ofTypeAfter(connection, event, query)) found.push(row);
  // One order across the types by ingestion instant; stable: each type keeps its own order.
  return found.sort((a, b) => a.ingestedAt - b.ingestedAt);
}
