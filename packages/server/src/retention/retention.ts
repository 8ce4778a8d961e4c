import type { AuditActor } from '../access/audit-chain.js';
import type { AuditLog } from '../storage/audit-log.js';
import type { EventStore } from '../storage/event-store.js';
import type { RetentionPolicy, RetentionStore, RetentionTable } from '../storage/retention-store.js';
import { DAY_MS, daysFor, parsePolicies, planCuts, presentPolicy, type PolicyInput } from './policy.js';

/** One (event type, tenant) of a run: what went (or, dry, would go). */
export interface RetentionRow {
  event: RetentionTable;
  tenant: string | null;
  /** The policy that applied: max age in days. */
  days: number;
  /** Rows older than this went (ISO 8601). */
  cutoff: string;
  events: number;
  quarantined: number;
}

export interface RetentionRun {
  dryRun: boolean;
  ranAt: string;
  rows: RetentionRow[];
  totals: { events: number; quarantined: number };
  /** Time of the deletes (or counts) and of the summary rollups' refresh (null: none needed or no server). */
  timings: { deleteMs: number; rollupsMs: number | null };
}

export interface RetentionDeps {
  store: RetentionStore;
  events: Pick<EventStore, 'deleteBefore'>;
  audit: Pick<AuditLog, 'append'>;
  /** Brings derived state (summary rollups) in line after a deletion; absent when no server runs. */
  afterDeletion?: () => Promise<unknown>;
  clock?: () => number;
}

export interface Retention {
  policies(): Promise<RetentionPolicy[]>;
  /** Validates and replaces every policy; returns the previous and the new set. */
  setPolicies(input: unknown): Promise<{ before: RetentionPolicy[]; after: RetentionPolicy[] }>;
  /** The configured seed (PULSE_RETENTION), stored only when no policy is stored yet. */
  seed(policies: readonly RetentionPolicy[]): Promise<boolean>;
  /** Runs the policies now; runs never overlap. */
  apply(options: { dryRun: boolean }): Promise<RetentionRun>;
  /** apply between a `started` and an outcome `retention.applied` audit record (scheduled and CLI-direct runs). */
  applyAudited(actor: AuditActor, options: { dryRun: boolean }): Promise<RetentionRun>;
  /** Resolves once no run is in progress (before shutdown). */
  idle(): Promise<void>;
}

/** At most this many rows go into an audit record; the totals are always there. */
const MAX_AUDITED_ROWS = 500;

/** The facts of a run for an audit record: totals, and the counts per (event type, tenant). */
export function auditDetailOf(run: RetentionRun): Record<string, unknown> {
  return {
    dry_run: run.dryRun,
    ran_at: run.ranAt,
    totals: run.totals,
    counts: run.rows.slice(0, MAX_AUDITED_ROWS).map((r) => ({
      event: r.event,
      tenant: r.tenant,
      days: r.days,
      events: r.events,
      quarantined: r.quarantined,
    })),
    ...(run.rows.length > MAX_AUDITED_ROWS ? { counts_truncated: run.rows.length - MAX_AUDITED_ROWS } : {}),
    delete_ms: run.timings.deleteMs,
    rollups_ms: run.timings.rollupsMs,
  };
}

/** Tenants a run touched: the scope of its audit record. */
export const tenantsOf = (run: RetentionRun): string[] =>
  [...new Set(run.rows.flatMap((r) => (r.tenant === null ? [] : [r.tenant])))].sort();

export { presentPolicy, type PolicyInput };

/**
 * Retention: policies kept in the store, applied on demand and on a schedule. A run resolves every
 * table's cutoff from the policies at one instant, deletes through the event store, then has the summary
 * rollups rebuilt so summaries over the deleted days change accordingly.
 */
export function createRetention(deps: RetentionDeps): Retention {
  const clock = deps.clock ?? Date.now;
  let running: Promise<unknown> = Promise.resolve();

  async function run(dryRun: boolean): Promise<RetentionRun> {
    const now = clock();
    const policies = await deps.store.listPolicies();
    const started = performance.now();
    const counts = await deps.events.deleteBefore(planCuts(policies, now), { dryRun });
    const deleteMs = performance.now() - started;
    const rows = counts.map((c): RetentionRow => {
      // Every counted row was cut, so its (table, tenant) has a finite policy.
      const days = daysFor(policies, c.table, c.tenant) ?? 0;
      return {
        event: c.table,
        tenant: c.tenant,
        days,
        cutoff: new Date(now - days * DAY_MS).toISOString(),
        events: c.events,
        quarantined: c.quarantined,
      };
    });
    const totals = {
      events: rows.reduce((n, r) => n + r.events, 0),
      quarantined: rows.reduce((n, r) => n + r.quarantined, 0),
    };
    let rollupsMs: number | null = null;
    if (!dryRun && totals.events > 0 && deps.afterDeletion) {
      const refreshing = performance.now();
      await deps.afterDeletion();
      rollupsMs = performance.now() - refreshing;
    }
    return {
      dryRun,
      ranAt: new Date(now).toISOString(),
      rows,
      totals,
      timings: {
        deleteMs: Math.round(deleteMs * 10) / 10,
        rollupsMs: rollupsMs === null ? null : Math.round(rollupsMs * 10) / 10,
      },
    };
  }

  function apply({ dryRun }: { dryRun: boolean }): Promise<RetentionRun> {
    const next = running.then(
      () => run(dryRun),
      () => run(dryRun),
    );
    running = next.catch(() => {});
    return next;
  }

  return {
    policies: () => deps.store.listPolicies(),
    async setPolicies(input) {
      const after = parsePolicies(input);
      const before = await deps.store.listPolicies();
      await deps.store.replacePolicies(after, clock());
      return { before, after: await deps.store.listPolicies() };
    },
    seed: (policies) => deps.store.seedPolicies(policies, clock()),
    apply,
    async applyAudited(actor, options) {
      const at = clock();
      // Recorded before anything is deleted: a run whose record cannot be written does not happen.
      await deps.audit.append({
        at,
        actor,
        action: 'retention.applied',
        scope: [],
        detail: { dry_run: options.dryRun },
        result: 'started',
        requestId: null,
      });
      try {
        const result = await apply(options);
        await deps.audit.append({
          at,
          actor,
          action: 'retention.applied',
          scope: tenantsOf(result),
          detail: auditDetailOf(result),
          result: 'ok',
          requestId: null,
        });
        return result;
      } catch (error) {
        await deps.audit.append({
          at,
          actor,
          action: 'retention.applied',
          scope: [],
          detail: { dry_run: options.dryRun, reason: (error as Error).message.slice(0, 2_000) },
          result: 'error',
          requestId: null,
        });
        throw error;
      }
    },
    idle: () => running.then(() => undefined),
  };
}
