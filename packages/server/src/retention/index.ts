import type { Logger } from 'pino';
import type { AuditActor } from '../access/audit-chain.js';
import type { RetentionPolicy } from '../storage/retention-store.js';
import type { Storage } from '../storage/storage.js';
import { createRetention, type Retention } from './retention.js';
import { retentionCronOf, scheduleRetention, type RetentionSchedule } from './schedule.js';

export { createRetention, type Retention, type RetentionRun } from './retention.js';

/** The actor of scheduled runs in the audit trail. */
export const scheduledActor: AuditActor = { kind: 'system', id: 'retention-schedule', role: null };

export interface StartRetentionOptions {
  storage: Pick<Storage, 'retention' | 'events' | 'audit'>;
  /** Summary rollups to refresh after a deletion (analytics.refreshAfterDeletion). */
  afterDeletion?: () => Promise<unknown>;
  config: { retention?: readonly RetentionPolicy[] | undefined; retentionCron?: string };
  logger: Pick<Logger, 'info' | 'error'>;
  /** False while another process runs the scheduled job (cluster/leader.ts). */
  runsHere?: () => boolean;
}

/** Retention in a running server: the config seed stored when no policy is, and the scheduled job. */
export async function startRetention(
  options: StartRetentionOptions,
): Promise<{ retention: Retention; schedule: RetentionSchedule; close: () => Promise<void> }> {
  const { storage, logger } = options;
  const retention = createRetention({
    store: storage.retention,
    events: storage.events,
    audit: storage.audit,
    ...(options.afterDeletion ? { afterDeletion: options.afterDeletion } : {}),
  });
  if (options.config.retention?.length && (await retention.seed(options.config.retention)))
    logger.info({ policies: options.config.retention.length }, 'stored the configured retention policies');
  const schedule = scheduleRetention(
    retentionCronOf(options.config.retentionCron),
    async () => {
      if (options.runsHere?.() === false) return;
      const run = await retention.applyAudited(scheduledActor, { dryRun: false });
      logger.info({ ...run.totals, ...run.timings }, 'retention applied');
    },
    (error) => logger.error({ err: error }, 'scheduled retention failed'),
  );
  return {
    retention,
    schedule,
    close: async () => {
      schedule.stop();
      await retention.idle();
    },
  };
}
