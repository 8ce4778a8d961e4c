import type { EventStateSource } from '../../storage/alert-store.js';
import type { Rule, TrendCondition } from '../rule-model.js';
import type { Evaluator, EvaluatorContext, Outcome } from './evaluator.js';
import { TrendState, type TrendSeries } from './trend-state.js';

export type { TrendSeries };

export interface Aggregate {
  /** Null when there is nothing to aggregate (a mean of no events, or a range before the series began). */
  value: number | null;
  /** Σ weight for weighted_mean, else the number of events. */
  sample: number;
  events: number;
}

/** What a trend condition makes of one completed bucket. */
export interface Judgement {
  value: number | null;
  /** Enough evidence to decide (minSample met); without it the alert holds. */
  enough: boolean;
  /** Whether the condition holds with the threshold moved `margin` toward firing (hysteresis). */
  crosses: (margin: number) => boolean;
  text: () => { title: string; summary: string };
}

export interface TrendSpec {
  bucketMs: number;
  /** Buckets one evaluation reads, the evaluated one included. */
  span: number;
  judge(series: TrendSeries, bucket: number): Judgement;
}

/** After a gap in the events, at most this many of the buckets it completed are evaluated (the latest). */
const MAX_CATCH_UP = 24;

/** The condition's aggregate over buckets [from, to] of a series. */
export function aggregateOf(c: TrendCondition, s: TrendSeries, from: number, to: number): Aggregate {
  let n = 0;
  let sx = 0;
  let sw = 0;
  let sxw = 0;
  for (let b = from; b <= to; b++) {
    const bucket = s.buckets.get(b);
    if (!bucket) continue;
    n += bucket.n;
    sx += bucket.sx;
    sw += bucket.sw;
    sxw += bucket.sxw;
  }
  const sample = c.aggregate === 'weighted_mean' ? sw : n;
  if (from < s.first) return { value: null, sample, events: n };
  switch (c.aggregate) {
    case 'sum':
      return { value: sx, sample, events: n };
    case 'count':
      return { value: n, sample, events: n };
    case 'mean':
      return { value: n > 0 ? sx / n : null, sample, events: n };
    case 'weighted_mean':
      return { value: sw > 0 ? sxw / sw : null, sample, events: n };
  }
}

/** One bucket's aggregate, without allocating (a baseline reads hundreds per judgement). */
export function bucketValue(c: TrendCondition, s: TrendSeries, b: number): number | null {
  if (b < s.first) return null;
  const bucket = s.buckets.get(b);
  if (c.aggregate === 'sum') return bucket ? bucket.sx : 0;
  if (c.aggregate === 'count') return bucket ? bucket.n : 0;
  if (!bucket) return null;
  if (c.aggregate === 'mean') return bucket.n > 0 ? bucket.sx / bucket.n : null;
  return bucket.sw > 0 ? bucket.sxw / bucket.sw : null;
}

/**
 * The evaluator shared by change_percent and anomaly: events fill per-(tenant, key) buckets of event time;
 * when an event opens a later bucket, the buckets before it are complete and each is judged (a late event
 * only adds to its bucket). Judging, not the event, decides the verdict, so the same events in the same
 * order give the same outcomes, live, after a restart or in a preview.
 */
export function trendEvaluator(
  rule: Rule,
  c: TrendCondition,
  context: EvaluatorContext,
  spec: TrendSpec,
): Evaluator {
  const margin = rule.resolve.hysteresis ?? 0;

  function judge(s: TrendSeries, bucket: number, alerting: boolean): Outcome | null {
    const j = spec.judge(s, bucket);
    const base = { tenantId: s.tenantId, keyParts: s.keyParts };
    if (j.enough && j.crosses(0)) {
      const value = j.value !== null && Number.isFinite(j.value) ? j.value : null;
      return { ...base, verdict: 'fire', text: j.text, value, eventAt: (bucket + 1) * spec.bucketMs };
    }
    if (!alerting) return null;
    const eventAt = (bucket + 1) * spec.bucketMs;
    return { ...base, verdict: j.enough && !j.crosses(margin) ? 'clear' : 'hold', eventAt };
  }

  const state = new TrendState(rule, c, spec, (s, bucket, outcomes) => {
    let alerting = context.hasActive(rule.id, s.tenantId);
    for (let b = Math.max(s.newest, bucket - MAX_CATCH_UP); b < bucket; b++) {
      const outcome = judge(s, b, alerting);
      if (!outcome) continue;
      outcomes.push(outcome);
      alerting ||= outcome.verdict === 'fire';
    }
  });

  return {
    rule,
    historyMs: state.historyMs,
    onEvent(event) {
      if (event.tenantId === null) return [];
      const outcomes: Outcome[] = [];
      state.observe(event.tenantId, event.uuid, event.timestamp, event.properties, outcomes);
      return outcomes;
    },

    async rebuild(source: EventStateSource) {
      await state.rebuild(source);
    },
    saveState: (out) => state.save(out),
    loadState: (input) => state.restore(input),
    replay(event) {
      if (event.tenantId !== null)
        state.observe(event.tenantId, event.uuid, event.timestamp, event.properties, null);
    },
  };
}
