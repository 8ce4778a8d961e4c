import type { Logger } from 'pino';
import type { LeaderLease, OpenLeaderLease } from './ports.js';

/** How often a follower tries to take the lead, and the leader checks it still holds it. */
export const LEADER_CHECK_MS = 2_000;

export interface Leadership {
  /** True while this process holds the lock: the scheduled work that must run once runs here. */
  isLeader(): boolean;
  /** Called on every change (taken, lost); returns its unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Lets go of the lock (another process takes over within LEADER_CHECK_MS). */
  stop(): Promise<void>;
}

/**
 * One leader among the processes: each keeps a connection of its own and every LEADER_CHECK_MS either tries
 * to take the lock or, holding it, confirms it still does. A broken connection steps down at once (and
 * reconnects), so two processes never both believe they lead for longer than a check; a dead leader's lock is
 * released by the database when its session ends.
 */
export function startLeadership(options: {
  openLease: OpenLeaderLease;
  logger: Pick<Logger, 'info' | 'warn'>;
  checkMs?: number;
}): Leadership {
  const checkMs = options.checkMs ?? LEADER_CHECK_MS;
  const listeners = new Set<(leader: boolean) => void>();
  let lease: LeaderLease | null = null;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let checking: Promise<void> = Promise.resolve();
  let failing = false;

  const set = (next: boolean) => {
    if (next === leader) return;
    leader = next;
    options.logger.info(
      { leader },
      leader ? 'this process now runs the scheduled work' : 'no longer the leader',
    );
    for (const listener of listeners) listener(leader);
  };

  const drop = async (error: Error) => {
    const current = lease;
    lease = null;
    set(false);
    if (!failing) options.logger.warn({ err: error }, 'the leadership connection failed; reconnecting');
    failing = true;
    await current?.close();
  };

  const check = async () => {
    try {
      lease ??= await options.openLease((error) => void drop(error));
      if (leader) await lease.confirm();
      else set(await lease.tryAcquire());
      failing = false;
    } catch (error) {
      await drop(error as Error);
    }
  };

  const tick = () => {
    checking = check().finally(() => {
      if (stopped) return;
      timer = setTimeout(tick, checkMs);
      timer.unref();
    });
  };
  tick();

  return {
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await checking;
      set(false);
      await lease?.close();
      lease = null;
    },
  };
}
