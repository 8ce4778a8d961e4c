import type { BusinessImpact } from '@pulse/api';
import type { CaptureCounts, DecisionRecord, TenantTotals } from '../storage/insight-store.js';
import type { AlertTiming } from './alert-timings.js';
import { captureOutcomes } from '../storage/insight-store.js';
import { completionDays, DAY_MS, durationStats, type Window } from './decisions.js';

/** The capture success rate Pulse aims for: accepted / received. */
export const CAPTURE_SUCCESS_TARGET = 0.999;

type Trend = 'improving' | 'stable' | 'declining';

/**
 * How a number moved from the previous period: `change` relative to |previous| (null when either is
 * missing or previous is 0); the trend is stable within `threshold`, measured relatively or, for rates,
 * in absolute points; `better` says which direction improves.
 */
export function compare(
  current: number | null,
  previous: number | null,
  better: 'higher' | 'lower',
  threshold: { relative: number } | { absolute: number },
): { change: number | null; trend: Trend | null } {
  if (current === null || previous === null) return { change: null, trend: null };
  const change = previous === 0 ? null : (current - previous) / Math.abs(previous);
  const moved =
    'absolute' in threshold
      ? Math.abs(current - previous) > threshold.absolute
        ? current - previous
        : 0
      : change === null
        ? current - previous
        : Math.abs(change) > threshold.relative
          ? change
          : 0;
  const up = better === 'higher' ? moved > 0 : moved < 0;
  return { change, trend: moved === 0 ? 'stable' : up ? 'improving' : 'declining' };
}

const TIME_THRESHOLD = { relative: 0.05 };

function comparedDurations(current: number[], previous: number[]) {
  const [now, before] = [durationStats(current), durationStats(previous)];
  return {
    current: now,
    previous: before,
    ...compare(now.medianDays, before.medianDays, 'lower', TIME_THRESHOLD),
  };
}

const within = (at: number, w: Window) => at >= w.from && at < w.to;

/**
 * How long issues took to be seen: from the first stored event among an alert's triggers to the alert
 * (and to its acknowledgement), in days, of the alerts opened in the window. Alerts of absence rules
 * (`overdue`: fired because nothing happened by a date) have no first event of their issue and are left
 * out, as are backfills (the store never returns those).
 */
function identificationDays(timings: readonly AlertTiming[], absenceRules: ReadonlySet<string>, w: Window) {
  const toAlert: number[] = [];
  const toAcknowledge: number[] = [];
  for (const t of timings) {
    if (!within(t.alertedAt, w) || absenceRules.has(t.ruleId) || t.firstEventAt === null) continue;
    if (t.alertedAt < t.firstEventAt) continue; // a trigger stamped in the future: no time to measure
    toAlert.push((t.alertedAt - t.firstEventAt) / DAY_MS);
    if (t.acknowledgedAt !== null) toAcknowledge.push((t.acknowledgedAt - t.firstEventAt) / DAY_MS);
  }
  return { toAlert, toAcknowledge };
}

/** Realized savings and all savings identified in the window (implemented + still identified). */
function savingsOf(totals: readonly TenantTotals[]) {
  let realized = 0;
  let projected = 0;
  for (const t of totals) {
    realized += t.savings?.realized ?? 0;
    projected += t.savings?.projected ?? 0;
  }
  const identified = realized + projected;
  return { realized, identified, share: identified > 0 ? realized / identified : null };
}

/** The UTC days a window counts capture outcomes of: each day counts in the window that holds its end. */
export function captureDays(w: Window): { first: number; last: number } {
  return { first: Math.ceil(w.from / DAY_MS), last: Math.ceil(w.to / DAY_MS) - 1 };
}

export const dayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

function captureOf(rows: readonly CaptureCounts[], w: Window) {
  const { first, last } = captureDays(w);
  const sum = { received: 0, accepted: 0, quarantined: 0, refused: 0, refusedRequests: 0 };
  for (const row of rows) {
    const day = Date.parse(`${row.day}T00:00:00Z`) / DAY_MS;
    if (day < first || day > last) continue;
    for (const outcome of captureOutcomes) sum[outcome] += row[outcome];
  }
  return { ...sum, rate: sum.received ? sum.accepted / sum.received : null };
}

export interface ImpactInputs {
  current: Window;
  previous: Window;
  decisions: readonly DecisionRecord[];
  alerts: readonly AlertTiming[];
  absenceRules: ReadonlySet<string>;
  totals: { current: readonly TenantTotals[]; previous: readonly TenantTotals[] };
  capture: readonly CaptureCounts[];
}

/** What Pulse changed, measured on its own data, each number against the previous period. */
export function businessImpact(input: ImpactInputs): BusinessImpact {
  const { current, previous } = input;
  const iso = (w: Window) => ({ from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() });
  const seen = [current, previous].map((w) => identificationDays(input.alerts, input.absenceRules, w));
  const [seenNow, seenBefore] = seen as [(typeof seen)[0], (typeof seen)[0]];
  const [savingsNow, savingsBefore] = [savingsOf(input.totals.current), savingsOf(input.totals.previous)];
  const [captureNow, captureBefore] = [captureOf(input.capture, current), captureOf(input.capture, previous)];
  return {
    window: iso(current),
    previousWindow: iso(previous),
    decisionVelocity: comparedDurations(
      completionDays(input.decisions, current),
      completionDays(input.decisions, previous),
    ),
    identification: {
      toAlert: comparedDurations(seenNow.toAlert, seenBefore.toAlert),
      toAcknowledge: comparedDurations(seenNow.toAcknowledge, seenBefore.toAcknowledge),
    },
    savingsRealization: {
      current: savingsNow,
      previous: savingsBefore,
      ...compare(savingsNow.share, savingsBefore.share, 'higher', { absolute: 0.05 }),
    },
    captureSuccess: {
      current: captureNow,
      previous: captureBefore,
      ...compare(captureNow.rate, captureBefore.rate, 'higher', { absolute: 0.001 }),
      target: CAPTURE_SUCCESS_TARGET,
    },
  };
}
