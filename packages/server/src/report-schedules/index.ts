import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type {
  ReportFormat,
  ReportRun,
  ReportScheduleBody,
  ReportSchedulePatch,
  ReportScheduleView,
} from '@pulse/api';
import type { Actor } from '../access/rbac.js';
import { scopeOf } from '../access/rbac.js';
import type { Delivery } from '../alerts/types.js';
import type { StateChange, StateOwner } from '../cluster/ports.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type {
  ReportRunRecord,
  ReportScheduleRecord,
  ReportScheduleStore,
} from '../storage/report-schedule-store.js';
import type { RenderedCopy } from './compose.js';
import { cronOf, fieldsOf, patchedFields, periodOf } from './model.js';
import { auditRun, copyFor, generateRun, runIdOf, type RunDeps } from './run.js';
import { recipientScope } from './scope.js';

export interface ReportScheduleDeps extends RunDeps {
  store: ReportScheduleStore;
  /** The outbox row of a copy, for its status in the history. */
  delivery: (id: string) => Promise<Delivery | null>;
  /** A run missed while Pulse was down is sent at start when at most this old, else recorded as missed. */
  catchUpMs: number;
  onError: (error: unknown, scheduleId: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * How long a run's generation is held by the process that claimed it: far above a report's generation time,
 * and the lapse after which another process may generate a run whose claimer died.
 */
const RUN_CLAIM_MS = 15 * 60_000;

/**
 * Report schedules: stored as data, each armed as a croner job in its time zone. A run's copies go through
 * the alert outbox (retries, no duplicates per schedule + instant + recipient); its record keeps who got
 * which scope. At start, the latest fire missed while Pulse was down is sent once if it is at most
 * `catchUpMs` old, else recorded as missed.
 */
export class ReportSchedules {
  private readonly jobs = new Map<string, Cron>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly changeListeners = new Set<(change: StateChange) => void>();

  constructor(private readonly deps: ReportScheduleDeps) {}

  /** The armed jobs as a copy of shared state: other processes sharing the store arm what this one changed. */
  readonly shared: StateOwner = {
    kinds: ['schedule'],
    onChange: (listener) => {
      this.changeListeners.add(listener);
      return () => this.changeListeners.delete(listener);
    },
    apply: async (change) => {
      const schedule = await this.deps.store.get(change.id);
      if (schedule) this.arm(schedule);
      else this.disarm(change.id);
    },
    reloadAll: async () => {
      const stored = await this.deps.store.list();
      const ids = new Set(stored.map((schedule) => schedule.id));
      for (const id of [...this.jobs.keys()]) if (!ids.has(id)) this.disarm(id);
      for (const schedule of stored) this.arm(schedule);
    },
  };

  async start(): Promise<void> {
    const now = this.deps.compose.clock();
    for (const schedule of await this.deps.store.list()) {
      this.arm(schedule);
      await this.catchUp(schedule, now);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
    await Promise.allSettled([...this.running]);
    await this.deps.compose.pdf.close();
  }

  /** Resolves when no run is being generated (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async list(): Promise<ReportScheduleView[]> {
    return (await this.deps.store.list()).map((s) => this.view(s));
  }

  async get(id: string): Promise<ReportScheduleView> {
    return this.view(await this.record(id));
  }

  async create(body: ReportScheduleBody, actor: Actor): Promise<ReportScheduleView> {
    const fields = fieldsOf(body);
    const owner = { kind: actor.kind, id: actor.id, tenants: scopeOf(actor) };
    this.checkShared(fields.tenants, owner.tenants);
    const now = this.deps.compose.clock();
    const schedule: ReportScheduleRecord = {
      id: `rs_${randomUUID()}`,
      ...fields,
      owner,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.put(schedule);
    this.arm(schedule);
    this.changed(schedule.id);
    return this.view(schedule);
  }

  async patch(id: string, patch: ReportSchedulePatch): Promise<ReportScheduleView> {
    const current = await this.record(id);
    const fields = patchedFields(current, patch);
    this.checkShared(fields.tenants, current.owner.tenants);
    const next = { ...current, ...fields, updatedAt: this.deps.compose.clock() };
    await this.deps.store.put(next);
    this.arm(next);
    this.changed(id);
    return this.view(next);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.deps.store.remove(id))) throw new NotFoundError(`report schedule ${id}`);
    this.disarm(id);
    this.changed(id);
  }

  /** Sends the latest period now to every recipient (a manual run: its own instant, so never a duplicate of one). */
  async send(id: string, actor: Actor, requestId: string | null): Promise<ReportRun> {
    const schedule = await this.record(id);
    const run = await this.track(generateRun(schedule, this.deps.compose.clock(), 'manual', this.deps));
    await this.deps.store.insertRun(run);
    await auditRun(this.deps.audit, run, actor, requestId);
    return this.present(run);
  }

  async history(id: string, limit: number): Promise<ReportRun[]> {
    await this.record(id);
    return Promise.all((await this.deps.store.runs(id, limit)).map((r) => this.present(r)));
  }

  /** Exactly the copy `email` would get for the latest period, without sending it. */
  async preview(id: string, email: string, formats: readonly ReportFormat[]): Promise<RenderedCopy> {
    const schedule = await this.record(id);
    const scope = await recipientScope(schedule, email, this.deps.users);
    if (scope.tenants === null) throw new ValidationError('as', `${email} gets no copy: ${scope.reason}`);
    const period = periodOf(cronOf(schedule.cron, schedule.timezone), this.deps.compose.clock());
    return copyFor(schedule, scope.tenants, period, this.deps.compose, formats);
  }

  /**
   * Generates the run of `instant` unless it was recorded already or is being generated (a restart's
   * catch-up, a second timer, another process armed with the same schedule).
   */
  async runScheduled(schedule: ReportScheduleRecord, instant: number, trigger: 'schedule' | 'catch-up') {
    const now = this.deps.compose.clock();
    const claimed = await this.deps.store.claimRun(runIdOf(schedule.id, instant), now, now + RUN_CLAIM_MS);
    if (!claimed) return null;
    const run = await this.track(generateRun(schedule, instant, trigger, this.deps));
    if (await this.deps.store.insertRun(run))
      await auditRun(this.deps.audit, run, { kind: 'system', id: 'pulse' }, null);
    return run;
  }

  private async catchUp(schedule: ReportScheduleRecord, now: number): Promise<void> {
    const job = cronOf(schedule.cron, schedule.timezone);
    const missed = job.previousRuns(1, new Date(now))[0]?.getTime();
    if (missed === undefined || missed < schedule.createdAt) return;
    const last = await this.deps.store.lastInstant(schedule.id);
    if (last !== null && last >= missed) return;
    if (now - missed <= this.deps.catchUpMs) {
      this.fire(schedule.id, missed, 'catch-up');
      return;
    }
    const run: ReportRunRecord = {
      id: runIdOf(schedule.id, missed),
      scheduleId: schedule.id,
      instant: missed,
      trigger: 'missed',
      period: periodOf(job, missed),
      generatedAt: now,
      recipients: [],
    };
    if (await this.deps.store.insertRun(run))
      await auditRun(this.deps.audit, run, { kind: 'system', id: 'pulse' }, null);
  }

  private arm(schedule: ReportScheduleRecord): void {
    this.jobs.get(schedule.id)?.stop();
    if (this.stopped) return;
    const job = new Cron(
      schedule.cron,
      { timezone: schedule.timezone, protect: true, unref: true },
      (self: Cron) => {
        const instant = self.currentRun()?.getTime() ?? this.deps.compose.clock();
        this.fire(schedule.id, Math.floor(instant / 1000) * 1000, 'schedule');
      },
    );
    this.jobs.set(schedule.id, job);
  }

  private disarm(id: string): void {
    this.jobs.get(id)?.stop();
    this.jobs.delete(id);
  }

  private changed(id: string): void {
    for (const listener of this.changeListeners) listener({ kind: 'schedule', id });
  }

  /** Runs the schedule's current record (a patch since arming applies) in the background. */
  private fire(id: string, instant: number, trigger: 'schedule' | 'catch-up'): void {
    void this.track(
      (async () => {
        const schedule = await this.deps.store.get(id);
        if (schedule) await this.runScheduled(schedule, instant, trigger);
      })(),
    ).catch((error: unknown) => this.deps.onError(error, id));
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => {});
    return work;
  }

  private checkShared(tenants: readonly string[] | null, owner: readonly string[] | 'all'): void {
    if (!tenants || owner === 'all') return;
    const outside = tenants.filter((t) => !owner.includes(t));
    if (outside.length)
      throw new ValidationError('tenants', `names tenants you may not see: ${outside.join(', ')}`);
  }

  private async record(id: string): Promise<ReportScheduleRecord> {
    const schedule = await this.deps.store.get(id);
    if (!schedule) throw new NotFoundError(`report schedule ${id}`);
    return schedule;
  }

  private view(s: ReportScheduleRecord): ReportScheduleView {
    // Null when this process has no job for it (another process created it and this one was not told yet).
    const next = this.jobs.has(s.id)
      ? cronOf(s.cron, s.timezone).nextRun(new Date(this.deps.compose.clock()))
      : null;
    return {
      id: s.id,
      name: s.name,
      cron: s.cron,
      timezone: s.timezone,
      recipients: s.recipients,
      sections: s.sections,
      tenants: s.tenants,
      formats: s.formats,
      owner: s.owner.id,
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
      nextRun: next ? next.toISOString() : null,
    };
  }

  private async present(run: ReportRunRecord): Promise<ReportRun> {
    return {
      id: run.id,
      scheduleId: run.scheduleId,
      instant: iso(run.instant),
      trigger: run.trigger,
      period: { from: iso(run.period.from), to: iso(run.period.to) },
      generatedAt: iso(run.generatedAt),
      recipients: await Promise.all(
        run.recipients.map(async (r) => {
          const delivery = r.deliveryId ? await this.deps.delivery(r.deliveryId) : null;
          return {
            recipient: r.recipient,
            scope: r.scope,
            status: r.skipped !== null || !delivery ? ('skipped' as const) : delivery.status,
            attempts: delivery?.attempts ?? 0,
            error: r.skipped ?? delivery?.lastError ?? null,
          };
        }),
      ),
    };
  }
}
