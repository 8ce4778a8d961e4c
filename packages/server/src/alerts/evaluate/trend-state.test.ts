import { describe, expect, it } from 'vitest';
import type { EventStateSource, RecentRow, TrendBuckets } from '../../storage/alert-store.js';
import type { Rule, TrendCondition } from '../rule-model.js';
import { TrendState } from './trend-state.js';

const hour = 3_600_000;
const condition: TrendCondition = {
  kind: 'anomaly',
  aggregate: 'sum',
  property: 'impact_amount',
  where: [{ property: 'impact_type', op: '==', value: 'negative' }],
  direction: 'up',
  bucketMinutes: 60,
  baselineBuckets: 3,
  method: 'mad',
  threshold: 3,
  minSample: 3,
};
const rule: Rule = {
  id: 'loss',
  name: 'Loss',
  severity: 'high',
  enabled: true,
  events: ['revenue_impact_event'],
  condition,
  key: [],
  cooldownMinutes: 60,
  resolve: { mode: 'clear', afterMinutes: 0 },
};

/** Stored events: positive ones (left out by `where`) from bucket 10, counted ones in 11, 17 and 20. */
const rows: RecentRow[] = [
  [10, 'positive', 900],
  [10, 'positive', 900],
  [11, 'negative', 5],
  [17, 'negative', 2],
  [17, 'negative', 3],
  [20, 'negative', 7],
].map(([bucket, type, amount], i) => ({
  tenantId: 'acme',
  uuid: `e${i}`,
  timestamp: (bucket as number) * hour + i,
  values: { impact_type: type, impact_amount: amount },
}));

/** The same events as the store sums them. */
const sums: TrendBuckets = {
  rows: [
    { bucket: 10, events: 2, n: 0, sx: 0 },
    { bucket: 11, events: 1, n: 1, sx: 5 },
    { bucket: 17, events: 2, n: 2, sx: 5 },
    { bucket: 20, events: 1, n: 1, sx: 7 },
  ].map((r) => ({ tenantId: 'acme', keyValues: [], sw: r.n, sxw: r.sx, ...r })),
  latest: rows.map((r) => ({ uuid: r.uuid, timestamp: r.timestamp })),
};

const source = (withSums: boolean): EventStateSource => ({
  latestByEntity: async () => [],
  recentEvents: async () => rows,
  trendBuckets: async () => (withSums ? sums : null),
});

async function rebuilt(withSums: boolean) {
  const state = new TrendState(rule, condition, { bucketMs: hour, span: 4 }, () => {});
  const path = await state.rebuild(source(withSums));
  const [series] = [...state.series.values()];
  return { path, state, series: { ...series, buckets: [...(series?.buckets ?? [])] } };
}

describe('trend state rebuilt from the store’s sums', () => {
  it('keeps what replaying the events keeps: the series from its first event, the last span buckets', async () => {
    const fromSums = await rebuilt(true);
    const fromEvents = await rebuilt(false);
    expect([fromSums.path, fromEvents.path]).toEqual(['sums', 'events']);
    expect(fromSums.series).toEqual({
      tenantId: 'acme',
      keyParts: {},
      first: 10,
      newest: 20,
      buckets: [
        [17, { n: 2, sx: 5, sw: 2, sxw: 5 }],
        [20, { n: 1, sx: 7, sw: 1, sxw: 7 }],
      ],
    });
    expect(fromEvents.series).toEqual(fromSums.series);
  });

  it('skips a stored event that comes again after the rebuild (by id)', async () => {
    const { state } = await rebuilt(true);
    const again = rows.at(-1) as RecentRow;
    state.observe('acme', again.uuid, again.timestamp, again.values, null);
    state.observe('acme', 'new', again.timestamp, again.values, null);
    expect(state.series.get('acme')?.buckets.get(20)).toEqual({ n: 2, sx: 14, sw: 2, sxw: 14 });
  });
});
