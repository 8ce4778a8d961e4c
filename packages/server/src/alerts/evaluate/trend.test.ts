import { describe, expect, it } from 'vitest';
import type { EventStateSource, RecentRow } from '../../storage/alert-store.js';
import type { StoredEvent } from '../../storage/event-store.js';
import type { Rule } from '../rule-model.js';
import { createEvaluator, type Outcome } from './index.js';

const hour = 3_600_000;
const T0 = Date.parse('2026-03-10T00:00:00Z');
let n = 0;
const loss = (amount: number, at: number, tenant = 'acme', type = 'negative'): StoredEvent => ({
  uuid: `e${n++}`,
  event: 'revenue_impact_event',
  distinctId: tenant,
  timestamp: at,
  tenantId: tenant,
  ingestedAt: at,
  properties: { tenant_id: tenant, impact_amount: amount, impact_type: type },
});

const rule = (condition: Rule['condition']): Rule => ({
  id: 'trend',
  name: 'Net revenue impact',
  severity: 'high',
  enabled: true,
  events: ['revenue_impact_event'],
  condition,
  key: [],
  cooldownMinutes: 60,
  resolve: { mode: 'clear', afterMinutes: 0 },
});

function run(r: Rule, events: StoredEvent[], active = false): Outcome[] {
  const evaluator = createEvaluator(r, {
    budgets: { of: () => undefined },
    hasActive: () => active,
  });
  return events.flatMap((e) => evaluator.onEvent(e, e.timestamp));
}

const negativeOnly = [{ property: 'impact_type', op: '==', value: 'negative' }] as const;
const anomaly = (minSample: number) =>
  rule({
    kind: 'anomaly',
    aggregate: 'sum',
    property: 'impact_amount',
    direction: 'up',
    bucketMinutes: 60,
    baselineBuckets: 6,
    method: 'mad',
    threshold: 3,
    minSample,
  });
const baseline = [100, 110, 90, 105, 95, 100].map((x, h) => loss(x, T0 + h * hour + 1000));

describe('anomaly evaluator', () => {
  it('fires when the completed bucket stands out, once the next bucket begins', () => {
    const spike = loss(1000, T0 + 6 * hour + 1000);
    expect(run(anomaly(4), [...baseline, spike])).toEqual([]);
    const fired = run(anomaly(4), [...baseline, spike, loss(1, T0 + 7 * hour)]);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.verdict).toBe('fire');
    expect(fired[0]?.eventAt).toBe(T0 + 7 * hour);
    const text = fired[0]?.text?.(null);
    expect(text?.title).toBe('Net revenue impact at acme is unusually high: $1,000 in 1 h, usually $100');
    expect(text?.summary).toMatch(
      /^Since \d\d:\d\d UTC, \d+ \w+: the total impact amount was \$1,000 in 1 h, 121\.4 standard deviations above its 6-hour hourly baseline \(median \$100 over 6 buckets\); it alerts at 3 standard deviations up\. Next step: Contact/,
    );
  });

  it('needs minSample baseline buckets; buckets before the first event are not zeros', () => {
    const early = [loss(100, T0), loss(100, T0 + hour), loss(1000, T0 + 2 * hour), loss(1, T0 + 3 * hour)];
    expect(run(anomaly(3), early)).toEqual([]);
  });

  it('counts an empty bucket of a sum as 0 and says so', () => {
    const gap = [...baseline, loss(1, T0 + 8 * hour)];
    const down = run(
      { ...anomaly(4), condition: { ...anomaly(4).condition, direction: 'down' } } as Rule,
      gap,
    );
    expect(down.map((o) => o.verdict)).toEqual(['fire', 'fire']);
    expect(down[0]?.text?.(null).title).toBe(
      'Net revenue impact at acme is unusually low: $0 in 1 h, usually $100',
    );
  });

  it('clears an active alert once the score is back, and holds with too little evidence', () => {
    const calm = [...baseline, loss(100, T0 + 6 * hour), loss(100, T0 + 7 * hour)];
    // Buckets 0–3 have fewer than 4 baseline buckets before them: hold; 4–6 are ordinary: clear.
    expect(run(anomaly(4), calm, true).map((o) => o.verdict)).toEqual([
      ...['hold', 'hold', 'hold', 'hold'],
      ...['clear', 'clear', 'clear'],
    ]);
  });
});

describe('change_percent evaluator', () => {
  const change = (minSample: number, direction: 'up' | 'down' | 'either' = 'down') =>
    rule({
      kind: 'change_percent',
      aggregate: 'sum',
      property: 'impact_amount',
      direction,
      minutes: 240,
      percent: 50,
      minSample,
      where: [...negativeOnly],
    });
  const period = (start: number, each: number) =>
    [5, 65, 125, 185].map((m) => loss(each, start + m * 60_000));
  const before = period(T0, 3100);
  const after = period(T0 + 4 * hour, 1175);
  const closer = loss(50, T0 + 8 * hour + 60_000, 'acme', 'positive');

  it('compares the window with the window before and explains the change', () => {
    const fired = run(change(4), [...before, ...after, closer]);
    expect(fired.map((o) => o.verdict)).toEqual(['fire']);
    expect(fired[0]?.eventAt).toBe(T0 + 8 * hour);
    expect(fired[0]?.value).toBeCloseTo(-62.1, 1);
    expect(fired[0]?.text?.(null).title).toBe(
      'Net revenue impact at acme fell 62 % in the last 4 h: $4,700, from $12,400 the 4 h before',
    );
    expect(fired[0]?.text?.(null).summary).toMatch(
      /^Since .+: the total impact amount where impact type is negative was \$4,700 in the 4 h to .+ \(4 events\), against \$12,400 in the 4 h before \(4 events\); it alerts at a change of 50 % down\. Next step: Contact/,
    );
  });

  it('needs minSample in both windows', () => {
    expect(run(change(5), [...before, ...after, closer])).toEqual([]);
  });

  it('reads a rise from nothing as a change that crosses any percent upward', () => {
    const fromZero = [loss(1, T0, 'acme', 'positive'), ...after, closer];
    const fired = run(change(0, 'up'), fromZero);
    expect(fired.at(-1)?.verdict).toBe('fire');
    expect(fired.at(-1)?.value).toBeNull();
    expect(fired.at(-1)?.text?.(null).title).toBe(
      'Net revenue impact at acme rose in the last 4 h: $4,700, from $0 the 4 h before',
    );
  });
});

describe('trend state rebuilt from a large lookback', () => {
  it('takes hundreds of thousands of stored events (no spread of the rows onto the call stack)', async () => {
    const perHour = [50_000, 51_000, 49_000, 50_500, 49_500, 50_000];
    const rows: RecentRow[] = [];
    perHour.forEach((count, h) => {
      for (let i = 0; i < count; i++)
        rows.push({
          tenantId: 'acme',
          uuid: `stored-${h}-${i}`,
          timestamp: T0 + h * hour + i * 60,
          values: { impact_amount: 1, impact_type: 'negative' },
        });
    });
    const source: EventStateSource = {
      recentEvents: async () => rows,
      latestByEntity: async () => [],
      trendBuckets: async () => null,
    };
    const evaluator = createEvaluator(anomaly(4), {
      budgets: { of: () => undefined },
      hasActive: () => false,
    });
    await evaluator.rebuild?.(source, T0 + 6 * hour);
    const live = [loss(1_000_000, T0 + 6 * hour + 1000), loss(1, T0 + 7 * hour)];
    // Only a baseline rebuilt from the stored hours lets the spike fire (minSample 4).
    expect(live.flatMap((e) => evaluator.onEvent(e, e.timestamp)).map((o) => o.verdict)).toEqual(['fire']);
  });
});
