import type { EventStateSource, RecentRow } from '../../storage/alert-store.js';
import type { Rule, TrendCondition } from '../rule-model.js';
import { keyPartsOf, stateKey, type Evaluator, type EvaluatorContext, type Outcome } from './evaluator.js';
import { allHold } from './predicates.js';

/** The sums of one bucket of event time: enough for sum, mean, count and weighted_mean. */
interface Bucket {
  n: number;
  sx: number;
  sw: number;
  sxw: number;
}

/** One tenant and key: bucketed sums of the last buckets only (memory is bounded by `span`, not by events). */
export interface TrendSeries {
  tenantId: string;
  keyParts: Record<string, string>;
  buckets: Map<number, Bucket>;
  /** The first bucket this series saw: earlier buckets are unobserved, not zero. */
  first: number;
  /** The newest bucket that received an event (still open). */
  newest: number;
}

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
/** Event ids remembered to skip duplicates (the replay of events committed while state is rebuilt). */
const RECENT_IDS = 10_000;

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

/** The properties a trend rule reads from an event (rebuild and preview load only these). */
export function trendColumns(rule: Rule, c: TrendCondition): string[] {
  const columns = [c.property, c.weight, ...rule.key, ...(c.where ?? []).map((p) => p.property)];
  return [...new Set(columns.filter((x): x is string => typeof x === 'string'))];
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
  const series = new Map<string, TrendSeries>();
  const recentIds = new Set<string>();
  // The same ids in arrival order, as a ring: the oldest is forgotten in O(1) (no Set iteration).
  const ring: string[] = [];
  let next = 0;

  function seen(uuid: string): boolean {
    if (recentIds.has(uuid)) return true;
    if (ring.length === RECENT_IDS) recentIds.delete(ring[next] as string);
    ring[next] = uuid;
    next = (next + 1) % RECENT_IDS;
    recentIds.add(uuid);
    return false;
  }

  function seriesFor(tenantId: string, keyParts: Record<string, string>, bucket: number): TrendSeries {
    const key = stateKey(tenantId, Object.values(keyParts));
    let s = series.get(key);
    if (!s) {
      s = { tenantId, keyParts, buckets: new Map(), first: bucket, newest: bucket };
      series.set(key, s);
    }
    return s;
  }

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

  /** Adds one event; the outcomes of the buckets it completes (only when `emit`). */
  function observe(
    tenantId: string,
    uuid: string,
    t: number,
    props: Readonly<Record<string, unknown>>,
    emit: boolean,
  ): Outcome[] {
    if (seen(uuid)) return [];
    const bucket = Math.floor(t / spec.bucketMs);
    const s = seriesFor(tenantId, keyPartsOf(rule, props), bucket);
    if (bucket < s.newest - spec.span) return [];
    const outcomes: Outcome[] = [];
    if (bucket > s.newest) {
      if (emit) {
        let alerting = context.hasActive(rule.id, tenantId);
        for (let b = Math.max(s.newest, bucket - MAX_CATCH_UP); b < bucket; b++) {
          const outcome = judge(s, b, alerting);
          if (!outcome) continue;
          outcomes.push(outcome);
          alerting ||= outcome.verdict === 'fire';
        }
      }
      s.newest = bucket;
      for (const b of s.buckets.keys()) if (b < bucket - spec.span) s.buckets.delete(b);
    }
    s.first = Math.min(s.first, bucket);
    const x = props[c.property];
    const w = c.weight ? props[c.weight] : 1;
    const counted = c.aggregate === 'count' || typeof x === 'number';
    if (!counted || typeof w !== 'number' || w < 0 || !allHold(c.where, props)) return outcomes;
    const into = s.buckets.get(bucket) ?? { n: 0, sx: 0, sw: 0, sxw: 0 };
    const value = typeof x === 'number' ? x : 0;
    into.n += 1;
    into.sx += value;
    into.sw += w;
    into.sxw += value * w;
    s.buckets.set(bucket, into);
    return outcomes;
  }

  // Two buckets more than one evaluation reads: the oldest one read may be cut at the edge.
  const historyMs = (spec.span + 2) * spec.bucketMs;
  return {
    rule,
    historyMs,
    onEvent(event) {
      if (event.tenantId === null) return [];
      return observe(event.tenantId, event.uuid, event.timestamp, event.properties, true);
    },

    async rebuild(source: EventStateSource) {
      const minutes = historyMs / 60_000;
      const rows: RecentRow[] = [];
      // Appended one by one: a spread of a lookback's rows (hundreds of thousands) overflows the call stack.
      for (const event of rule.events)
        for (const row of await source.recentEvents({ event, columns: trendColumns(rule, c), minutes }))
          rows.push(row);
      rows.sort((a, b) => a.timestamp - b.timestamp);
      for (const row of rows) observe(row.tenantId, row.uuid, row.timestamp, row.values, false);
    },
  };
}
