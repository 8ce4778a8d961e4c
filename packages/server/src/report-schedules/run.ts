import type { AuditLog } from '../storage/audit-log.js';
import type {
  ReportRunRecord,
  ReportScheduleRecord,
  RunRecipient,
  RunTrigger,
} from '../storage/report-schedule-store.js';
import type { UserStore } from '../storage/user-store.js';
import type { Delivery, ReportNotification } from '../alerts/types.js';
import { composeCopy, type ComposeContext, type RenderedCopy } from './compose.js';
import { cronOf, periodOf } from './model.js';
import { describeScope, ownerScope, recipientScope, sharedScope, type Tenants } from './scope.js';

/** Where a run's copies go and who hears of it. */
export interface RunDeps {
  users: UserStore;
  audit: AuditLog;
  compose: ComposeContext;
  /** Stores new outbox rows (by id: a row already there is not sent again) and sends them. */
  enqueue: (rows: readonly Delivery[]) => Promise<Delivery[]>;
  email: { configured: boolean; from: string };
  slack: { configured: boolean };
}

/** A run instant as it appears in ids: ISO 8601 to the millisecond. */
const stamp = (ms: number) => new Date(ms).toISOString();

export const runIdOf = (scheduleId: string, instant: number) => `${scheduleId}.${stamp(instant)}`;

/** The idempotency key of one copy: schedule + run instant + recipient. */
export const deliveryIdOf = (scheduleId: string, instant: number, recipient: string) =>
  `report.${scheduleId}.${stamp(instant)}.${recipient}`;

/** One recipient's copy of a schedule for a period (what a run sends and a preview shows). */
export function copyFor(
  schedule: ReportScheduleRecord,
  tenants: Tenants,
  period: { from: number; to: number },
  compose: ComposeContext,
  formats = schedule.formats,
): Promise<RenderedCopy> {
  return composeCopy(
    {
      name: schedule.name,
      timezone: schedule.timezone,
      sections: schedule.sections,
      formats,
      tenants,
      period,
    },
    compose,
  );
}

function notification(
  id: string,
  schedule: ReportScheduleRecord,
  copy: RenderedCopy,
  period: { from: number; to: number },
  from: string | null,
): ReportNotification {
  return {
    type: 'report',
    idempotency_key: id,
    schedule: { id: schedule.id, name: schedule.name },
    period: { from: stamp(period.from), to: stamp(period.to) },
    scope: copy.document.scopeText,
    subject: copy.subject,
    text: copy.text,
    html: copy.html,
    attachments: copy.attachments,
    from,
    link: copy.document.link,
  };
}

/**
 * Generates one run: each recipient's copy with their own scope, each into the durable outbox under the key
 * schedule + instant + recipient (a second run of the same instant sends nothing twice), a short Slack copy
 * of the shared tenants when Slack is configured, then the run's record and its audit record.
 */
export async function generateRun(
  schedule: ReportScheduleRecord,
  instant: number,
  trigger: RunTrigger,
  deps: RunDeps,
): Promise<ReportRunRecord> {
  const period = periodOf(cronOf(schedule.cron, schedule.timezone), instant);
  const now = deps.compose.clock();
  const rows: Delivery[] = [];
  const recipients: RunRecipient[] = [];
  const row = (
    id: string,
    channel: 'email' | 'slack',
    target: string,
    payload: ReportNotification,
  ): Delivery => ({
    id,
    alertId: null,
    transitionId: null,
    channel,
    target,
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    sentAt: null,
  });
  for (const recipient of schedule.recipients) {
    const scope = await recipientScope(schedule, recipient, deps.users);
    if (scope.tenants === null || !deps.email.configured) {
      const skipped = scope.tenants === null ? scope.reason : 'email is not configured (PULSE_SMTP_URL)';
      recipients.push({ recipient, scope: '—', deliveryId: null, skipped });
      continue;
    }
    const id = deliveryIdOf(schedule.id, instant, recipient);
    const copy = await copyFor(schedule, scope.tenants, period, deps.compose);
    rows.push(row(id, 'email', recipient, notification(id, schedule, copy, period, deps.email.from)));
    recipients.push({ recipient, scope: describeScope(scope.tenants), deliveryId: id, skipped: null });
  }
  if (deps.slack.configured) {
    const shared = sharedScope(schedule, await ownerScope(schedule, deps.users));
    if (shared.tenants !== null) {
      const id = deliveryIdOf(schedule.id, instant, 'slack');
      const copy = await copyFor(schedule, shared.tenants, period, deps.compose, []);
      rows.push(row(id, 'slack', '', notification(id, schedule, copy, period, null)));
      recipients.push({
        recipient: 'slack',
        scope: describeScope(shared.tenants),
        deliveryId: id,
        skipped: null,
      });
    }
  }
  await deps.enqueue(rows);
  return {
    id: runIdOf(schedule.id, instant),
    scheduleId: schedule.id,
    instant,
    trigger,
    period,
    generatedAt: now,
    recipients,
  };
}

/** The audit record of a generated run: who asked, what each recipient was shown. */
export function auditRun(
  audit: AuditLog,
  run: ReportRunRecord,
  actor: { kind: 'user' | 'api_key' | 'project_token' | 'system'; id: string },
  requestId: string | null,
) {
  return audit.append({
    at: run.generatedAt,
    actor: { ...actor, role: null },
    action: run.trigger === 'missed' ? 'report.missed' : 'report.generate',
    scope: 'all',
    detail: {
      schedule: run.scheduleId,
      run: run.id,
      trigger: run.trigger,
      period: { from: stamp(run.period.from), to: stamp(run.period.to) },
      recipients: run.recipients.map((r) => ({ recipient: r.recipient, scope: r.scope, skipped: r.skipped })),
    },
    result: 'ok',
    requestId,
  });
}
