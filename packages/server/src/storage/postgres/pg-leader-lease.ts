import type { LeaderLease, OpenLeaderLease } from '../../cluster/ports.js';
import { sql } from '../../sql.js';
import { query } from './pg-client.js';
import { openDedicatedClient } from './pg-dedicated.js';

/** The advisory lock's two keys: 'puls' and the timers' lock (pg_locks shows them as classid, objid). */
const LOCK_CLASS = 0x70756c73;
const LOCK_TIMERS = 1;

/**
 * Leadership as a session advisory lock on a connection of its own: PostgreSQL lets go of it when that session
 * ends, so a process that dies (or whose host vanishes: server-side keepalives below) hands it on.
 */
export function pgLeaderLease(url: string): OpenLeaderLease {
  return async (onLost) => {
    const { client, close } = await openDedicatedClient(url, 'leadership', onLost, async (session) => {
      // The server probes an idle client after 10 s, then every 5 s, and drops it after 3 misses (~25 s).
      await query(session, sql`SET tcp_keepalives_idle = 10`);
      await query(session, sql`SET tcp_keepalives_interval = 5`);
      await query(session, sql`SET tcp_keepalives_count = 3`);
    });
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
      close,
    };
    return lease;
  };
}
