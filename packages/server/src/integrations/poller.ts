import type { Logger } from 'pino';
import { backoffDelay } from '../net/safe-fetch.js';
import type { SourceHandle } from './source-status.js';

export interface PollerOptions {
  /** What one poll does; a throw is a failure, backed off (at least its `retryAfterMs`) and shown on the board. */
  run: (signal: AbortSignal) => Promise<Record<string, string | number | boolean | null> | void>;
  intervalMs: number;
  /** Longest wait after repeated failures (default 10 × interval, at most 1 h). */
  maxBackoffMs?: number;
  status: SourceHandle;
  logger: Logger;
  now?: () => number;
  random?: () => number;
  /** False while another process runs this source (cluster/leader.ts): its polls are passed over. */
  runsHere?: () => boolean;
}

export interface Poller {
  /** Stops the schedule and waits for a poll in flight (aborting it). */
  stop(): Promise<void>;
  /** Runs one poll now, outside the schedule (the next one is rescheduled from its end). */
  pollNow(): Promise<void>;
}

/**
 * Runs a source on its own schedule: every interval on success; after a failure, again after an
 * exponential back-off with jitter, so a broken target costs little and never holds up the others.
 */
export function startPoller(options: PollerOptions): Poller {
  const now = options.now ?? Date.now;
  const maxBackoff = options.maxBackoffMs ?? Math.min(3_600_000, options.intervalMs * 10);
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const abort = new AbortController();

  const schedule = (delay: number) => {
    if (stopped) return;
    options.status.nextAttempt(now() + delay);
    timer = setTimeout(() => void poll(), delay);
    timer.unref();
  };

  const poll = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (timer) clearTimeout(timer);
    if (options.runsHere?.() === false) {
      schedule(options.intervalMs);
      return Promise.resolve();
    }
    inFlight = (async () => {
      let delay = options.intervalMs;
      try {
        const detail = await options.run(abort.signal);
        options.status.succeeded(now(), detail ?? {});
      } catch (error) {
        if (stopped) return;
        const message = error instanceof Error ? error.message : String(error);
        options.status.failed(now(), message);
        const failures = options.status.view().consecutiveFailures;
        // A source told when to come back (an upstream's Retry-After) waits that long, within the cap.
        const told = (error as { retryAfterMs?: unknown }).retryAfterMs;
        delay = Math.max(
          options.intervalMs,
          backoffDelay(failures, options.intervalMs, maxBackoff, options.random),
          typeof told === 'number' ? Math.min(told, maxBackoff) : 0,
        );
        options.logger.warn({ source: options.status.view().id, failures, err: error }, 'source poll failed');
      } finally {
        inFlight = undefined;
      }
      schedule(delay);
    })();
    return inFlight;
  };

  void poll(); // the first poll starts at once
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      options.status.nextAttempt(null);
      abort.abort();
      await inFlight;
    },
    pollNow: poll,
  };
}
