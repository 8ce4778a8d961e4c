import type { EventStateSource, RecentRow, TrendBuckets } from '../../storage/alert-store.js';
import type { Rule, TrendCondition } from '../rule-model.js';
import type { SnapshotReader, SnapshotWriter } from '../../analytics/snapshot-codec.js';
import { keyPartsOf, readKeyParts, stateKey, writeKeyParts, type Outcome } from './evaluator.js';
import { allHold } from './predicates.js';

/** The sums of one bucket of event time: enough for sum, mean, count and weighted_mean. */
export interface Bucket {
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

/** Event ids remembered to skip duplicates (the replay of events committed while state is rebuilt). */
export const RECENT_IDS = 10_000;

/** The properties a trend rule reads from an event (rebuild and preview load only these). */
export function trendColumns(rule: Rule, c: TrendCondition): string[] {
  const columns = [c.property, c.weight, ...rule.key, ...(c.where ?? []).map((p) => p.property)];
  return [...new Set(columns.filter((x): x is string => typeof x === 'string'))];
}

/**
 * Judges the completed buckets of a series from its newest up to `bucket` (excluded), into `outcomes`;
 * called before an event opens `bucket`, while the buckets those judgements read are still kept.
 */
export type CompleteBuckets = (s: TrendSeries, bucket: number, outcomes: Outcome[]) => void;

/**
 * What a trend rule remembers: per (tenant, key) series of bucket sums over the last `span` buckets, and
 * the latest event ids. Events come one by one (live, or replayed from stored rows) or as the store's sums.
 */
export class TrendState {
  readonly series = new Map<string, TrendSeries>();
  /** How far back before the newest event the state reaches: two buckets more than one evaluation reads. */
  readonly historyMs: number;
  private readonly recentIds = new Set<string>();
  // The same ids in arrival order, as a ring: the oldest is forgotten in O(1) (no Set iteration).
  private readonly ring: string[] = [];
  private next = 0;

  constructor(
    private readonly rule: Rule,
    private readonly c: TrendCondition,
    private readonly spec: { bucketMs: number; span: number },
    private readonly complete: CompleteBuckets,
  ) {
    // The oldest bucket one evaluation reads may be cut at the edge.
    this.historyMs = (spec.span + 2) * spec.bucketMs;
  }

  /**
   * Adds one event (once per id; not one older than the kept buckets). When it opens a later bucket of its
   * series, the buckets before are complete: judged into `outcomes` when given (live), not when replaying.
   */
  observe(
    tenantId: string,
    uuid: string,
    t: number,
    props: Readonly<Record<string, unknown>>,
    outcomes: Outcome[] | null,
  ): void {
    if (this.seen(uuid)) return;
    const bucket = Math.floor(t / this.spec.bucketMs);
    const s = this.seriesFor(tenantId, keyPartsOf(this.rule, props), bucket);
    if (bucket < s.newest - this.spec.span) return;
    if (bucket > s.newest) {
      if (outcomes) this.complete(s, bucket, outcomes);
      this.advance(s, bucket);
    }
    this.count(s, bucket, props);
  }

  /** Whether the id is among the latest remembered; remembers it otherwise. */
  private seen(uuid: string): boolean {
    if (this.recentIds.has(uuid)) return true;
    if (this.ring.length === RECENT_IDS) this.recentIds.delete(this.ring[this.next] as string);
    this.ring[this.next] = uuid;
    this.next = (this.next + 1) % RECENT_IDS;
    this.recentIds.add(uuid);
    return false;
  }

  private seriesFor(tenantId: string, keyParts: Record<string, string>, bucket: number): TrendSeries {
    const key = stateKey(tenantId, Object.values(keyParts));
    let s = this.series.get(key);
    if (!s) {
      s = { tenantId, keyParts, buckets: new Map(), first: bucket, newest: bucket };
      this.series.set(key, s);
    }
    return s;
  }

  /** Makes `bucket` the series' newest, forgetting the buckets no evaluation reads any more. */
  private advance(s: TrendSeries, bucket: number): void {
    s.newest = bucket;
    for (const b of s.buckets.keys()) if (b < bucket - this.spec.span) s.buckets.delete(b);
  }

  /** Adds an event to its bucket when the condition counts it: a number to measure, a weight ≥ 0, `where`. */
  private count(s: TrendSeries, bucket: number, props: Readonly<Record<string, unknown>>): void {
    s.first = Math.min(s.first, bucket);
    const x = props[this.c.property];
    const w = this.c.weight ? props[this.c.weight] : 1;
    const counted = this.c.aggregate === 'count' || typeof x === 'number';
    if (!counted || typeof w !== 'number' || w < 0 || !allHold(this.c.where, props)) return;
    const value = typeof x === 'number' ? x : 0;
    this.add(s, bucket, { n: 1, sx: value, sw: w, sxw: value * w });
  }

  private add(s: TrendSeries, bucket: number, sums: Bucket): void {
    const into = s.buckets.get(bucket) ?? { n: 0, sx: 0, sw: 0, sxw: 0 };
    into.n += sums.n;
    into.sx += sums.sx;
    into.sw += sums.sw;
    into.sxw += sums.sxw;
    s.buckets.set(bucket, into);
  }

  /**
   * Takes the store's sums of the lookback (one part per event type): the state replaying its events in
   * time order leaves — each series from its first bucket to its newest, the last `span` buckets kept.
   */
  private load(parts: readonly TrendBuckets[]): void {
    for (const part of parts)
      for (const row of part.rows) {
        const props = Object.fromEntries(this.rule.key.map((k, i) => [k, row.keyValues[i]]));
        const s = this.seriesFor(row.tenantId, keyPartsOf(this.rule, props), row.bucket);
        s.first = Math.min(s.first, row.bucket);
        s.newest = Math.max(s.newest, row.bucket);
        if (row.n > 0) this.add(s, row.bucket, row);
      }
    for (const s of this.series.values()) this.advance(s, s.newest);
    const latest = parts.flatMap((p) => p.latest).sort((a, b) => a.timestamp - b.timestamp);
    for (const { uuid } of latest.slice(-RECENT_IDS)) this.seen(uuid);
  }

  /** Writes every series' kept buckets and the remembered ids, oldest first (saved rule state). */
  save(out: SnapshotWriter): void {
    out.word(this.series.size);
    for (const [key, s] of this.series) {
      out.string(key);
      out.string(s.tenantId);
      writeKeyParts(out, s.keyParts);
      out.number(s.first);
      out.number(s.newest);
      out.word(s.buckets.size);
      for (const [b, sums] of s.buckets)
        for (const n of [b, sums.n, sums.sx, sums.sw, sums.sxw]) out.number(n);
    }
    const ids = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    out.word(ids.length);
    for (const uuid of ids) out.uuid(uuid);
  }

  /** Takes what `save` wrote (into an empty state). */
  restore(input: SnapshotReader): void {
    for (let i = input.word(); i > 0; i--) {
      const key = input.string();
      const tenantId = input.string();
      const keyParts = readKeyParts(input);
      const s: TrendSeries = {
        tenantId,
        keyParts,
        buckets: new Map(),
        first: input.number(),
        newest: input.number(),
      };
      for (let b = input.word(); b > 0; b--)
        s.buckets.set(input.number(), {
          n: input.number(),
          sx: input.number(),
          sw: input.number(),
          sxw: input.number(),
        });
      this.series.set(key, s);
    }
    for (let i = input.word(); i > 0; i--) this.seen(input.uuid());
  }

  /**
   * Rebuilds the state from the stored lookback: from the store's sums when it computes them for every event
   * type of the rule, else by replaying the events themselves in time order. Says which it took.
   */
  async rebuild(source: EventStateSource): Promise<'sums' | 'events'> {
    const { rule, c } = this;
    const minutes = this.historyMs / 60_000;
    const parts: TrendBuckets[] = [];
    for (const event of rule.events) {
      const part = await source.trendBuckets({
        event,
        minutes,
        bucketMs: this.spec.bucketMs,
        key: rule.key,
        property: c.property,
        propertyRequired: c.aggregate !== 'count',
        ...(c.weight ? { weight: c.weight } : {}),
        where: c.where ?? [],
        latestIds: RECENT_IDS,
      });
      if (!part) break;
      parts.push(part);
    }
    if (parts.length === rule.events.length) {
      this.load(parts);
      return 'sums';
    }
    const columns = trendColumns(rule, c);
    const rows: RecentRow[] = [];
    // Appended one by one: a spread of a lookback's rows (hundreds of thousands) overflows the call stack.
    for (const event of rule.events)
      for (const row of await source.recentEvents({ event, columns, minutes })) rows.push(row);
    rows.sort((a, b) => a.timestamp - b.timestamp);
    for (const row of rows) this.observe(row.tenantId, row.uuid, row.timestamp, row.values, null);
    return 'events';
  }
}
