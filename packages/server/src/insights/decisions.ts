import type { DecisionInsights, DecisionRow, Durations } from '@pulse/api';
import { returnOnInvestment } from '@pulse/events/measures';
import type { DecisionRecord } from '../storage/insight-store.js';
import { quantile } from './benchmarks-quantiles.js';

export const DAY_MS = 86_400_000;
/** Decisions one answer reads at most (the most recently active ones). */
export const DECISIONS_READ_LIMIT = 20_000;
/** Rows of the decisions table one answer lists (the totals cover them all). */
export const DECISION_ROWS_LISTED = 500;

/** Statuses that mean a decision was approved (it may have moved on since). */
const approvedOrLater = ['approved', 'in_progress', 'delayed', 'completed'];
/** Statuses after which no review is due. */
const finished = new Set(['completed', 'cancelled']);

export interface Window {
  from: number;
  to: number;
}

/**
 * When a decision reached each milestone: the timestamp of its first event reporting `proposed`; of its
 * first event reporting `approved` or a later stage (in_progress, delayed, completed: a decision first
 * reported under way was approved by then); of its first event reporting `completed`.
 */
export function milestonesOf(r: DecisionRecord): {
  proposedAt: number | null;
  approvedAt: number | null;
  completedAt: number | null;
} {
  const times = approvedOrLater.flatMap((s) => r.firstAtByStatus[s] ?? []);
  return {
    proposedAt: r.firstAtByStatus.proposed ?? null,
    approvedAt: times.length ? Math.min(...times) : null,
    completedAt: r.firstAtByStatus.completed ?? null,
  };
}

/** Its next review date passed (as of `asOf`) with no newer event, and it is not finished. */
export function isOverdue(r: DecisionRecord, asOf: number): boolean {
  return (
    r.nextReviewAt !== null &&
    !finished.has(r.status ?? '') &&
    asOf > r.nextReviewAt &&
    r.lastEventAt < r.nextReviewAt
  );
}

type Stage = 'proposedToApproved' | 'approvedToCompleted' | 'proposedToCompleted';
const stages: readonly Stage[] = ['proposedToApproved', 'approvedToCompleted', 'proposedToCompleted'];

/** The stage durations of a decision with the time each ended (a negative one, from out-of-order reports, is left out). */
function durationsOf(r: DecisionRecord): { stage: Stage; endedAt: number; days: number }[] {
  const m = milestonesOf(r);
  const spans: [Stage, number | null, number | null][] = [
    ['proposedToApproved', m.proposedAt, m.approvedAt],
    ['approvedToCompleted', m.approvedAt, m.completedAt],
    ['proposedToCompleted', m.proposedAt, m.completedAt],
  ];
  return spans.flatMap(([stage, start, end]) =>
    start !== null && end !== null && end >= start
      ? [{ stage, endedAt: end, days: (end - start) / DAY_MS }]
      : [],
  );
}

export function durationStats(days: readonly number[]): Durations {
  return { count: days.length, medianDays: quantile(days, 0.5), p90Days: quantile(days, 0.9) };
}

type StageDays = Record<Stage, number[]>;
const emptyStages = (): StageDays => ({
  proposedToApproved: [],
  approvedToCompleted: [],
  proposedToCompleted: [],
});
const statsOf = (d: StageDays) =>
  Object.fromEntries(stages.map((s) => [s, durationStats(d[s])])) as Record<Stage, Durations>;

/** Days from proposal to completion of the decisions completed in a window: the decision velocity. */
export function completionDays(records: readonly DecisionRecord[], window: Window): number[] {
  return records.flatMap((r) =>
    durationsOf(r).flatMap((d) =>
      d.stage === 'proposedToCompleted' && d.endedAt >= window.from && d.endedAt < window.to ? [d.days] : [],
    ),
  );
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function rowOf(r: DecisionRecord, asOf: number): DecisionRow {
  const m = milestonesOf(r);
  return {
    tenantId: r.tenantId,
    decisionId: r.decisionId,
    decisionType: r.decisionType,
    title: r.title,
    status: r.status,
    decisionMaker: r.decisionMaker,
    proposedAt: iso(m.proposedAt),
    approvedAt: iso(m.approvedAt),
    completedAt: iso(m.completedAt),
    lastEventAt: new Date(r.lastEventAt).toISOString(),
    nextReviewAt: iso(r.nextReviewAt),
    overdue: isOverdue(r, asOf),
    expectedRevenueImpact: r.expectedRevenue,
    expectedCostImpact: r.expectedCost,
    actualRevenueImpact: r.actualRevenue,
    actualCostImpact: r.actualCost,
    expectedRoi: returnOnInvestment(r.expectedRevenue, r.expectedCost),
    realizedRoi: returnOnInvestment(r.actualRevenue, r.actualCost),
  };
}

/**
 * The decisions report of a window: velocity of the stages that ended in it (overall, per UTC month of
 * the end, per decision type), the decisions with an event in it and their impact, and every decision of
 * the scope overdue for review as of `asOf`.
 */
export function decisionInsights(
  records: readonly DecisionRecord[],
  options: Window & { asOf: number; truncated: boolean },
): DecisionInsights {
  const { from, to, asOf } = options;
  const overall = emptyStages();
  const byMonth = new Map<string, StageDays>();
  const byType = new Map<string, StageDays>();
  const bucket = (map: Map<string, StageDays>, key: string) => {
    let days = map.get(key);
    if (!days) map.set(key, (days = emptyStages()));
    return days;
  };
  for (const r of records)
    for (const d of durationsOf(r)) {
      if (d.endedAt < from || d.endedAt >= to) continue;
      overall[d.stage].push(d.days);
      bucket(byMonth, new Date(d.endedAt).toISOString().slice(0, 7))[d.stage].push(d.days);
      bucket(byType, r.decisionType ?? 'unspecified')[d.stage].push(d.days);
    }

  const active = records.filter((r) => r.lastEventAt >= from);
  const sum = (pick: (r: DecisionRecord) => number | null) =>
    active.reduce((total, r) => total + (pick(r) ?? 0), 0);
  const realized = active.filter((r) => r.actualRevenue !== null && r.actualCost !== null);
  const realizedRevenue = realized.reduce((t, r) => t + (r.actualRevenue ?? 0), 0);
  const realizedCost = realized.reduce((t, r) => t + (r.actualCost ?? 0), 0);

  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    asOf: new Date(asOf).toISOString(),
    velocity: {
      ...statsOf(overall),
      byMonth: [...byMonth]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([month, days]) => ({ month, ...statsOf(days) })),
      byType: [...byType]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([decisionType, days]) => ({ decisionType, ...statsOf(days) })),
    },
    totals: {
      decisions: active.length,
      expectedRevenueImpact: sum((r) => r.expectedRevenue),
      expectedCostImpact: sum((r) => r.expectedCost),
      actualRevenueImpact: sum((r) => r.actualRevenue),
      actualCostImpact: sum((r) => r.actualCost),
      realizedRoi: returnOnInvestment(realized.length ? realizedRevenue : null, realizedCost),
    },
    decisions: active.slice(0, DECISION_ROWS_LISTED).map((r) => rowOf(r, asOf)),
    overdueReviews: records
      .filter((r) => isOverdue(r, asOf))
      .map((r) => ({
        tenantId: r.tenantId,
        decisionId: r.decisionId,
        title: r.title,
        status: r.status,
        nextReviewAt: new Date(r.nextReviewAt ?? 0).toISOString(),
        daysOverdue: (asOf - (r.nextReviewAt ?? asOf)) / DAY_MS,
      }))
      .sort((a, b) => b.daysOverdue - a.daysOverdue),
    truncated: options.truncated,
  };
}
