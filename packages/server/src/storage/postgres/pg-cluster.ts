import type { BusChannel, OpenLeaderLease, StateChannel } from '../../cluster/ports.js';
import { openPgPool } from './pg-client.js';
import { PgBusChannel } from './pg-event-bus.js';
import { pgLeaderLease } from './pg-leader-lease.js';
import { PgStateChannel } from './pg-state-changes.js';

/**
 * What the processes sharing a PostgreSQL state use to act as one (cluster/): the event bus's table and
 * notifications, on a small pool of its own beside the state stores', the leadership lock, and the
 * notifications of changed state.
 */
export async function openPgCluster(url: string): Promise<{
  channel: BusChannel;
  openLease: OpenLeaderLease;
  state: StateChannel;
  close: () => Promise<void>;
}> {
  const pool = openPgPool(url, { max: 3, applicationName: 'pulse-cluster-bus' });
  try {
    return {
      channel: await PgBusChannel.open(pool, url),
      openLease: pgLeaderLease(url),
      state: new PgStateChannel(pool, url),
      close: () => pool.end(),
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
