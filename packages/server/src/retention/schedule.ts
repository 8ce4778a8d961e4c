import { Cron } from 'croner';

/** PULSE_RETENTION_CRON's default: daily at 03:15 UTC (a quiet hour; after midnight's day rollover). */
export const DEFAULT_RETENTION_CRON = '15 3 * * *';

export interface RetentionSchedule {
  stop(): void;
  /** When the job runs next (null when disabled). */
  nextRun(): Date | null;
}

/** The cron pattern to schedule, or null when disabled ('' or 'off'). */
export function retentionCronOf(pattern: string | undefined): string | null {
  const value = (pattern ?? DEFAULT_RETENTION_CRON).trim();
  return value === '' || value.toLowerCase() === 'off' ? null : value;
}

/**
 * The scheduled retention job, like the weekly digest (alerts/digest.ts): croner in UTC, `protect` so a slow
 * run is never overlapped by the next, unref'd so it does not keep the process alive. A run missed while the
 * server was down is not caught up: the next one deletes what it would have (cutoffs only move forward).
 */
export function scheduleRetention(
  pattern: string | null,
  run: () => Promise<unknown>,
  onError: (error: unknown) => void,
): RetentionSchedule {
  if (pattern === null) return { stop: () => {}, nextRun: () => null };
  let job: Cron;
  try {
    job = new Cron(pattern, { timezone: 'UTC', protect: true, unref: true }, async () => {
      await run().catch(onError);
    });
  } catch (error) {
    throw new Error(`PULSE_RETENTION_CRON ${JSON.stringify(pattern)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { stop: () => job.stop(), nextRun: () => job.nextRun() };
}
