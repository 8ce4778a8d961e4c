import pg from 'pg';
import type { LeaderLease, OpenLeaderLease } from '../../cluster/ports.js';
import { sql } from '../../sql.js';
import { query } from './pg-client.js';
import { dedicatedClientOptions } from './pg-event-bus.js';

/** The advisory lock's two keys: 'puls' and the timers' lock (pg_locks shows them as classid, objid). */
const LOCK_CLASS = 0x70756c73;
const LOCK_TIMERS = 1;

/**
 * Leadership as a session advisory lock on a connection of its own: PostgreSQL lets go of it when that session
 * ends, so a process that dies (or whose host vanishes: server-side keepalives below) hands it on.
 */
export function pgLeaderLease(url: string): OpenLeaderLease {
  return async (onLost) => {
    const client = new pg.Client(dedicatedClientOptions(url));
    let lost = false;
    const lose = (error: Error) => {
      if (lost) return;
      lost = true;
      onLost(error);
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('the leadership connection ended')));
    try {
      await client.connect();
      // The server probes an idle client after 10 s, then every 5 s, and drops it after 3 misses (~25 s).
      await query(client, sql`SET tcp_keepalives_idle = 10`);
      await query(client, sql`SET tcp_keepalives_interval = 5`);
      await query(client, sql`SET tcp_keepalives_count = 3`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    const lease: LeaderLease = {
      async tryAcquire() {
        const [row] = await query<{ held: boolean }>(
          client,
          sql`SELECT pg_try_advisory_lock(${LOCK_CLASS}::int, ${LOCK_TIMERS}::int) AS held`,
        );
        return row?.held === true;
      },
      async confirm() {
        const [row] = await query<{ held: boolean }>(
          client,
          sql`SELECT EXISTS (
                SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND classid = ${LOCK_CLASS}::int::oid AND objid = ${LOCK_TIMERS}::int::oid AND objsubid = 2
              ) AS held`,
        );
        if (row?.held !== true) throw new Error('this session no longer holds the leadership lock');
      },
      async close() {
        lost = true;
        await client.end().catch(() => undefined);
      },
    };
    return lease;
  };
}
