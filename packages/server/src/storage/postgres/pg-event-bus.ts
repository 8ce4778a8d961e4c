import type pg from 'pg';
import type { BusChannel, BusListener, BusRow } from '../../cluster/ports.js';
import { sql } from '../../sql.js';
import { createSchema, query } from './pg-client.js';
import { listenOnChannel } from './pg-dedicated.js';

/** The notification channel; its payload is `<id> <origin>` (a NOTIFY payload is limited to 8000 bytes). */
const CHANNEL = 'pulse_event_batches';

const tables = [
  sql`CREATE TABLE IF NOT EXISTS cluster_event_batches (
    id BIGSERIAL PRIMARY KEY,
    origin TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    payload TEXT NOT NULL
  )`,
  sql`CREATE INDEX IF NOT EXISTS cluster_event_batches_created ON cluster_event_batches (created_at)`,
  // The highest id the retention removed: a listener that was behind it missed rows.
  sql`CREATE TABLE IF NOT EXISTS cluster_bus_pruned (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    through_id BIGINT NOT NULL
  )`,
  sql`INSERT INTO cluster_bus_pruned (through_id) VALUES (0) ON CONFLICT DO NOTHING`,
];

/** The event bus on PostgreSQL: batches in `cluster_event_batches`, each announced by NOTIFY with its id. */
export class PgBusChannel implements BusChannel {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  static async open(pool: pg.Pool, url: string): Promise<PgBusChannel> {
    await createSchema(pool, tables);
    return new PgBusChannel(pool, url);
  }

  async publish(origin: string, payload: string): Promise<number> {
    // One statement, so one transaction: the notification is delivered when the row is committed.
    const [row] = await query<{ id: number }>(
      this.pool,
      sql`WITH stored AS (
            INSERT INTO cluster_event_batches (origin, payload) VALUES (${origin}, ${payload}) RETURNING id
          )
          SELECT id, pg_notify(${CHANNEL}, id || ' ' || ${origin}) FROM stored`,
    );
    if (!row) throw new Error('the event bus stored no row');
    return row.id;
  }

  async rowsById(ids: readonly number[], origin: string): Promise<BusRow[]> {
    if (!ids.length) return [];
    return query<BusRow>(
      this.pool,
      sql`SELECT id, origin, payload FROM cluster_event_batches
          WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) AND origin <> ${origin} ORDER BY id`,
    );
  }

  async rowsAfter(
    afterId: number,
    origin: string,
    limit: number,
  ): Promise<{ rows: BusRow[]; prunedThrough: number }> {
    // The mark is read first: a row pruned after this read was still there for the rows' read.
    const [mark] = await query<{ through_id: number }>(
      this.pool,
      sql`SELECT through_id FROM cluster_bus_pruned`,
    );
    const rows = await query<BusRow>(
      this.pool,
      sql`SELECT id, origin, payload FROM cluster_event_batches
          WHERE id > ${afterId} AND origin <> ${origin} ORDER BY id LIMIT ${limit}`,
    );
    return { rows, prunedThrough: mark?.through_id ?? 0 };
  }

  async lastId(): Promise<number> {
    const [row] = await query<{ id: number }>(
      this.pool,
      sql`SELECT GREATEST(
            (SELECT COALESCE(max(id), 0) FROM cluster_event_batches),
            (SELECT through_id FROM cluster_bus_pruned)) AS id`,
    );
    return row?.id ?? 0;
  }

  async prune(keepMs: number): Promise<number> {
    const [row] = await query<{ removed: number }>(
      this.pool,
      sql`WITH removed AS (
            DELETE FROM cluster_event_batches
            WHERE created_at < now() - make_interval(secs => ${keepMs / 1000}) RETURNING id
          ), marked AS (
            UPDATE cluster_bus_pruned SET through_id = GREATEST(through_id, (SELECT max(id) FROM removed))
            WHERE EXISTS (SELECT 1 FROM removed)
          )
          SELECT count(*) AS removed FROM removed`,
    );
    return row?.removed ?? 0;
  }

  async listen(
    onAnnounced: (id: number, origin: string) => void,
    onLost: (error: Error) => void,
  ): Promise<BusListener> {
    return listenOnChannel(
      this.url,
      CHANNEL,
      'event bus',
      (payload) => {
        const space = payload.indexOf(' ');
        onAnnounced(Number(payload.slice(0, space)), payload.slice(space + 1));
      },
      onLost,
    );
  }
}
