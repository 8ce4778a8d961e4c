import { isBusinessEventName } from '@pulse/events';
import type { RecordCipher } from '../encryption/record-cipher.js';
import { ValidationError } from '../errors.js';
import type { CommittedBatch } from '../ingestion/event-stream.js';
import { RowKind, type AnalyticsReads, type RebuildRows } from '../storage/analytics-reads.js';
import type { StoredEvent } from '../storage/event-store.js';
import { composeSummary } from './compose-summary.js';
import type { DayRollup, TenantRollups } from './day-rollup.js';
import { EdgeDays, type DaysLease } from './edge-days.js';
import { DAY_MS, dayOf, factOf, LATE_GRACE_MS } from './facts.js';
import { encodeRollups, loadRollups, saveRollups, type RollupSnapshot } from './rollup-snapshot.js';
import { applyEvent, applyRebuildRows, Rollups, type HighWater } from './rollups.js';
import type { AlertItem, ExecutiveSummary, SummaryScope, TimeWindow } from './summary-types.js';
import { planWindow, previousOf, type WindowPlan } from './window-plan.js';
import { WindowAccumulator } from './window-totals.js';

/** Where committed events come from (ingestion/event-stream.ts `EventStream`). */
export interface CommittedEvents {
  subscribe(listener: (batch: CommittedBatch) => void): () => void;
}

export type CriticalAlertsProvider = (
  scope: SummaryScope,
) => readonly AlertItem[] | Promise<readonly AlertItem[]>;

export interface AnalyticsOptions {
  /** The store's reads the rollups are built from and the window edges loaded from. */
  reads: Pick<AnalyticsReads, 'rebuildRows' | 'edgeFacts' | 'eventDeletions'>;
  stream: CommittedEvents;
  /** Now, epoch ms (default Date.now): the default window ends here and summaries are stamped with it. */
  clock?: () => number;
  /** Open critical alerts of a scope (the alert engine); default none. */
  criticalAlerts?: CriticalAlertsProvider;
  /** See LATE_GRACE_MS. */
  lateGraceMs?: number;
  /** Days of raw facts kept for window edges (default 8; a default window needs 3). */
  edgeDays?: number;
  /** After the first rebuild, load the default window's edge days for all tenants in the background (default true). */
  preloadDefaultWindow?: boolean;
  /**
   * Where the rollups are saved (rollup-snapshot.ts): the first build starts from the saved ones and reads
   * only the events ingested since; saved again after each start (in the background) and by `save`.
   */
  snapshot?: { path: string; cipher: RecordCipher | null; onSaveError: (error: unknown) => void };
}

export interface RebuildStats {
  tenants: number;
  /** Tenant-days rebuilt. */
  days: number;
  /** Whether it started from the saved snapshot (and read only the events ingested since). */
  fromSnapshot: boolean;
  /** Stream events that arrived during the rebuild and were applied on top of its snapshot. */
  replayed: number;
  ms: number;
}

export interface Analytics {
  /**
   * Resolves once the rollups have been built from the store (createAnalytics starts that at once); rejects
   * if that failed and no rebuild() has succeeded since.
   */
  ready(): Promise<void>;
  /** Rebuilds the rollups from the store; summaries keep using the previous ones until it is done. */
  rebuild(): Promise<RebuildStats>;
  /** The executive summary of a scope over [from, to) (default: the 30 days up to now). */
  summarize(scope: SummaryScope, window?: TimeWindow): Promise<ExecutiveSummary>;
  /**
   * After events were deleted from the store (retention): drops the cached edge days and rebuilds the rollups
   * from what remains (a rebuild already running may predate the deletion: this one starts after it).
   */
  refreshAfterDeletion(): Promise<RebuildStats>;
  /** Saves the rollups as they are now, for the next start (see AnalyticsOptions.snapshot). */
  save(): Promise<void>;
  /** Stops following the stream. */
  close(): void;
}

/** Delay of the save after a start: the encoding takes the event loop for a moment, not while serving starts. */
const SAVE_AFTER_START_MS = 30_000;

/** What the current rollups hold of the newest ingestion instant (see rollup-snapshot.ts). */
interface AppliedMark {
  ingestedAt: number;
  /** Uuids, or stream batches whose business events' uuids count, ingested at `ingestedAt`. */
  parts: (ReadonlySet<string> | readonly StoredEvent[])[];
}

export const DEFAULT_WINDOW_DAYS = 30;

/**
 * Keeps day rollups of every tenant exact as events are committed and answers summaries from them: whole UTC
 * days from the rollups, the partial days at a window's edges from cached raw facts (edge-days.ts).
 *
 * - Start: one aggregate read of the store rebuilds every tenant-day (AnalyticsReads.rebuildRows); the committed
 *   stream is followed from before it starts, and what the statement's snapshot missed is replayed (replay).
 * - Then every committed event updates its tenant-day (late ones included) and, if cached, its edge day.
 * - A summary reads only the scope's tenants: one tenant is ~60 day rollups plus a few hourly buckets.
 * Float sums depend on their order, so figures equal a naive recomputation to ~1e-12 relative, not bit for bit.
 */
export function createAnalytics(options: AnalyticsOptions): Analytics {
  const { reads } = options;
  const clock = options.clock ?? Date.now;
  const lateGraceMs = options.lateGraceMs ?? LATE_GRACE_MS;
  const alertsOf: CriticalAlertsProvider = options.criticalAlerts ?? (() => []);
  const newEdges = () => new EdgeDays((requests) => reads.edgeFacts(requests), options.edgeDays, lateGraceMs);
  let edges = newEdges();
  let rollups: Rollups | null = null;
  /** Batches committed while a rebuild runs, replayed on top of its snapshot. */
  let pending: (readonly StoredEvent[])[] | null = null;
  let rebuilding: Promise<RebuildStats> | null = null;
  let applied: AppliedMark = { ingestedAt: -Infinity, parts: [] };
  /** The store's deletion count read before the current rollups' statement (AnalyticsReads.eventDeletions). */
  let builtAtDeletions = 0;
  /** Only a start uses the saved snapshot; a later rebuild (after a deletion) reads every event. */
  let firstBuild = true;
  let saveTimer: NodeJS.Timeout | null = null;

  const unsubscribe = options.stream.subscribe(({ events }) => {
    pending?.push(events);
    for (const event of events) {
      const fact = factOf(event);
      if (rollups) applyEvent(rollups, event, fact);
      if (fact) edges.observe(fact);
    }
    // A batch is one commit, stamped with one ingestion time, in commit order.
    const at = events[0]?.ingestedAt;
    if (at === undefined || at < applied.ingestedAt) return;
    if (at > applied.ingestedAt) applied = { ingestedAt: at, parts: [] };
    applied.parts.push(events);
  });

  /** The saved snapshot, if it is one this store's events still match. */
  async function savedSnapshot(deletions: number): Promise<RollupSnapshot | null> {
    if (!options.snapshot) return null;
    const saved = await loadRollups(options.snapshot.path, options.snapshot.cipher, lateGraceMs);
    return saved?.deletions === deletions ? saved : null;
  }

  async function runRebuild(): Promise<RebuildStats> {
    const started = performance.now();
    const own: (readonly StoredEvent[])[] = [];
    pending = own;
    try {
      // Read before the rebuild statement: a deletion in between makes the next saved snapshot unusable, not wrong.
      const count = options.snapshot ? await reads.eventDeletions() : 0;
      let saved = firstBuild ? await savedSnapshot(count) : null;
      firstBuild = false;
      const after = saved ? { ingestedAt: saved.appliedAt, uuids: saved.appliedUuids } : undefined;
      let result = await reads.rebuildRows(lateGraceMs, after);
      // A snapshot newer than the store's newest event holds events the store lacks (a restored backup).
      if (saved && saved.appliedAt > newestIngestedAt(result)) {
        saved = null;
        result = await reads.rebuildRows(lateGraceMs);
      }
      const next = saved?.rollups ?? new Rollups(lateGraceMs);
      const highWater = applyRebuildRows(next, result);
      const replayed = replay(next, own, highWater);
      rollups = next;
      builtAtDeletions = count;
      markApplied(saved, highWater);
      let days = 0;
      for (const tenant of next.tenants.values()) days += tenant.days.size;
      return {
        tenants: next.tenants.size,
        days,
        replayed,
        fromSnapshot: saved !== null,
        ms: performance.now() - started,
      };
    } finally {
      if (pending === own) pending = null;
    }
  }

  /** After a build: the newest instant the rollups hold is the latest of the snapshot, the statement and the stream. */
  function markApplied(saved: RollupSnapshot | null, highWater: HighWater | null): void {
    for (const [at, uuids] of [
      [saved?.appliedAt, saved ? new Set(saved.appliedUuids) : null],
      [highWater?.ingestedAt, highWater?.uuids ?? null],
    ] as const) {
      if (at === undefined || uuids === null || at < applied.ingestedAt) continue;
      if (at > applied.ingestedAt) applied = { ingestedAt: at, parts: [] };
      applied.parts.push(uuids);
    }
  }

  /** One save at a time (they share the temporary file); a save asked for while one runs follows it. */
  let saving: Promise<void> = Promise.resolve();
  function save(): Promise<void> {
    const next = saving.catch(() => {}).then(saveNow);
    saving = next;
    return next;
  }

  async function saveNow(): Promise<void> {
    const state = rollups;
    if (!options.snapshot || !state) return;
    const uuids = new Set<string>();
    for (const part of applied.parts)
      if (part instanceof Set) for (const uuid of part as ReadonlySet<string>) uuids.add(uuid);
      else
        for (const event of part as readonly StoredEvent[])
          if (isBusinessEventName(event.event)) uuids.add(event.uuid.toLowerCase());
    const bytes = encodeRollups({
      rollups: state,
      // Nothing applied yet: every event is after the snapshot.
      appliedAt: Number.isFinite(applied.ingestedAt) ? applied.ingestedAt : 0,
      appliedUuids: [...uuids],
      deletions: builtAtDeletions,
    });
    await saveRollups(options.snapshot.path, options.snapshot.cipher, bytes);
  }

  function rebuild(): Promise<RebuildStats> {
    rebuilding ??= runRebuild().finally(() => {
      rebuilding = null;
    });
    return rebuilding;
  }

  const initial = rebuild().then(() => {
    // In the background: the first default-window summary then finds its edge days cached (or waits for them).
    if (options.preloadDefaultWindow ?? true) void preloadDefaultWindow().catch(() => {});
    const snapshot = options.snapshot;
    if (snapshot) {
      saveTimer = setTimeout(() => void save().catch(snapshot.onSaveError), SAVE_AFTER_START_MS);
      saveTimer.unref();
    }
  });
  // A failed start surfaces through ready() and summarize() (until a rebuild() succeeds), not as an
  // unhandled rejection.
  initial.catch(() => {});
  const ready = async (): Promise<void> => {
    if (!rollups) await initial;
  };

  async function preloadDefaultWindow(): Promise<void> {
    const now = clock();
    const window = { from: now - DEFAULT_WINDOW_DAYS * DAY_MS, to: now };
    const lease = await edges.acquire(
      edgeDaysOf([planWindow(window), planWindow(previousOf(window))]),
      'all',
    );
    lease.release();
  }

  async function summarize(scope: SummaryScope, window?: TimeWindow): Promise<ExecutiveSummary> {
    const now = clock();
    const current = window ?? { from: now - DEFAULT_WINDOW_DAYS * DAY_MS, to: now };
    checkWindow(current);
    const previous = previousOf(current);
    const plans = [planWindow(current), planWindow(previous)];
    await ready();
    const [lease, alerts] = await Promise.all([
      edges.acquire(edgeDaysOf(plans), scope.tenants),
      alertsOf(scope),
    ]);
    try {
      // From here on synchronous: neither rollups nor cached facts change under the computation.
      const state = rollups;
      if (!state) throw new Error('analytics rollups are not built');
      const tenants =
        scope.tenants === 'all'
          ? [...state.tenants.values()]
          : [...new Set(scope.tenants)].flatMap((id) => state.tenants.get(id) ?? []);
      const [currentTotals, previousTotals] = plans.map((plan) => {
        const accumulator = new WindowAccumulator();
        for (const tenant of tenants) accumulator.addTenant(tenant, bucketsOf(tenant, plan, lease));
        return accumulator.finish();
      });
      if (!currentTotals || !previousTotals) throw new Error('unreachable');
      return composeSummary({
        scope,
        window: current,
        previousWindow: previous,
        tenants: scope.tenants === 'all' ? state.tenants.size : new Set(scope.tenants).size,
        generatedAt: now,
        current: currentTotals,
        previous: previousTotals,
        alerts,
      });
    } finally {
      lease.release();
    }
  }

  async function refreshAfterDeletion(): Promise<RebuildStats> {
    // Summaries holding a lease finish on the old cache; new ones load from the store as it is now.
    edges = newEdges();
    while (rebuilding) await rebuilding.catch(() => {});
    return rebuild();
  }

  const close = () => {
    if (saveTimer) clearTimeout(saveTimer);
    unsubscribe();
  };
  return { ready, rebuild, summarize, refreshAfterDeletion, save, close };
}

/** The newest ingestion time in a rebuild's result (its high-water rows), -Infinity with none. */
function newestIngestedAt({ rows, kind, ts }: RebuildRows): number {
  let newest = -Infinity;
  for (let i = 0; i < rows; i++)
    if (kind[i] === RowKind.highWater) newest = Math.max(newest, ts[i] ?? -Infinity);
  return newest;
}

/** The UTC days holding the partial edges of these windows. */
function edgeDaysOf(plans: readonly WindowPlan[]): number[] {
  return plans.flatMap((p) => [p.tail, p.head]).flatMap((s) => (s ? [dayOf(s.from)] : []));
}

/** A tenant's buckets of one window, newest first (WindowAccumulator needs that order). */
function bucketsOf(tenant: TenantRollups, plan: WindowPlan, lease: DaysLease): DayRollup[] {
  const buckets: DayRollup[] = [];
  if (plan.tail) lease.buckets(tenant, plan.tail, buckets);
  for (let day = plan.endDay - 1; day >= plan.firstDay; day--) {
    const rollup = tenant.days.get(day);
    if (rollup) buckets.push(rollup);
  }
  if (plan.head) lease.buckets(tenant, plan.head, buckets);
  return buckets;
}

/** Applies the stream events a rebuild's snapshot did not include (see HighWater). */
function replay(
  into: Rollups,
  batches: readonly (readonly StoredEvent[])[],
  highWater: HighWater | null,
): number {
  let replayed = 0;
  for (const events of batches)
    for (const event of events) {
      // Commits are serialized and stamp ingestedAt when they start, so the snapshot holds exactly the events
      // ingested before its newest instant, plus those of that instant it lists.
      if (
        highWater &&
        (event.ingestedAt < highWater.ingestedAt ||
          (event.ingestedAt === highWater.ingestedAt && highWater.uuids.has(event.uuid.toLowerCase())))
      )
        continue;
      if (applyEvent(into, event)) replayed++;
    }
  return replayed;
}

function checkWindow({ from, to }: TimeWindow): void {
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new ValidationError('window', 'from and to must be epoch milliseconds');
  if (to <= from) throw new ValidationError('window', 'to must be after from');
}
