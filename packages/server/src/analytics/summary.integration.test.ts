import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import { EventStream } from '../ingestion/event-stream.js';
import { IngestPipeline } from '../ingestion/pipeline.js';
import { createMetrics } from '../observability/metrics.js';
import { generateEvents } from '../seed/index.js';
import type { AnalyticsReads } from '../storage/analytics-reads.js';
// eslint-disable-next-line no-restricted-imports -- the summary is checked against the real store's reads
import { DuckDbAnalyticsReads } from '../storage/duckdb/duckdb-analytics-reads.js';
// eslint-disable-next-line no-restricted-imports -- the summary is checked against the real store's reads
import { DuckDbEventStore } from '../storage/duckdb/duckdb-event-store.js';
import { createAnalytics, type Analytics, type AnalyticsOptions } from './analytics.js';
import type { DayRollup } from './day-rollup.js';
import { applyEvent, applyRebuildRows, Rollups } from './rollups.js';
import { naiveSummary, type OracleEvent } from './summary.contract.js';
import type { AlertItem, SummaryScope, TimeWindow } from './summary-types.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const END = Date.UTC(2026, 2, 1); // data covers [END − 40 days, END)

/** A real DuckDB store in a temp dir behind the real ingest pipeline, with a settable clock. */
async function openFixture() {
  const dir = temporaryDirectory('pulse-analytics-');
  const store = await DuckDbEventStore.open({ path: join(dir, 'pulse.duckdb') });
  const reads = await DuckDbAnalyticsReads.open(store);
  const stream = new EventStream((error) => {
    throw error;
  });
  const clock = { now: END };
  const pipeline = new IngestPipeline({
    store,
    stream,
    metrics: createMetrics(),
    queueMax: 1_000_000,
    commitIntervalMs: 0,
    now: () => clock.now,
  });
  const stored: OracleEvent[] = [];
  /** Ingests at a given time; what was stored joins `stored` with that ingestion time. */
  const ingest = async (events: CapturedEvent[], at: number) => {
    clock.now = at;
    const outcome = await pipeline.ingest(events);
    const quarantined = new Set(outcome.quarantined.map((q) => q.index));
    events.forEach((e, i) => {
      if (!quarantined.has(i)) stored.push({ ...e, ingestedAt: at });
    });
  };
  /** Ingests day by day, each day 10 minutes after it ended: nothing is late. */
  const ingestOnTime = async (events: CapturedEvent[]) => {
    const byDay = new Map<number, CapturedEvent[]>();
    for (const e of events) {
      const day = Math.floor(e.timestamp / DAY);
      byDay.set(day, [...(byDay.get(day) ?? []), e]);
    }
    for (const day of [...byDay.keys()].sort((a, b) => a - b))
      await ingest(byDay.get(day) ?? [], (day + 1) * DAY + 10 * 60_000);
  };
  const close = async () => {
    await pipeline.drain();
    await store.close();
  };
  return { store, reads, stream, pipeline, clock, stored, ingest, ingestOnTime, close };
}
type Fixture = Awaited<ReturnType<typeof openFixture>>;

const event = (
  name: string,
  tenant: string,
  timestamp: number,
  properties: Record<string, unknown>,
): CapturedEvent => ({
  uuid: randomUUID(),
  event: name,
  distinctId: tenant,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});

/** Hand-made events for the rules the generator never exercises (ties, trimming, missing properties…). */
function craftedEvents(): CapturedEvent[] {
  const t = 'edge-co';
  const at = END - 4 * DAY + 10 * HOUR;
  const decision = { decision_type: 'hiring', decision_title: 'Hire a CFO' };
  return [
    event('revenue_impact_event', t, at, {
      impact_amount: 50_000,
      impact_type: 'negative',
      action_required: '  Call the CFO \t',
      mitigation_actions: ['Call the CFO', 'Offer a credit', '   '],
    }),
    event('revenue_impact_event', t, at + HOUR, { impact_amount: 700, impact_type: 'positive' }),
    event('email_deliverability_event', t, at, { email_count: 1000, delivery_outcome: 'mixed' }),
    event('email_deliverability_event', t, at, {
      email_count: 400,
      delivery_outcome: 'bounced',
      bounce_rate: 0.3,
    }),
    event('resource_usage_event', t, at, { resource_type: 'database', current_usage: 1, capacity: 2 }),
    event('resource_usage_event', t, at, {
      resource_type: 'vps',
      resource_id: 'db-x',
      current_usage: 1,
      capacity: 2,
      cost_efficient: true,
    }),
    event('resource_usage_event', t, at, {
      resource_type: 'vps',
      resource_id: 'db-x',
      current_usage: 1,
      capacity: 2,
      cost_efficient: false,
    }),
    event('operational_efficiency_event', t, at, { efficiency_metric: 'm1', efficiency_score: 80 }),
    event('operational_efficiency_event', t, at, { efficiency_metric: 'm1', efficiency_score: 60 }),
    event('operational_efficiency_event', t, at - 2 * DAY, { efficiency_metric: 'm1', efficiency_score: 10 }),
    event('strategic_decision_event', t, at, decision),
    event('strategic_decision_event', t, at, { ...decision, decision_id: 'd-1', status: 'proposed' }),
    event('strategic_decision_event', t, at - 3 * DAY, {
      ...decision,
      decision_id: 'd-1',
      status: 'approved',
    }),
    event('cost_optimization_event', t, at, {
      savings_amount: 99_999,
      optimization_type: 'rejected',
      required_actions: ['Do not'],
    }),
    event('cost_optimization_event', t, at, {
      savings_amount: 20_000,
      optimization_type: 'implemented',
      required_actions: ['Done'],
    }),
    event('cost_optimization_event', t, at, {
      savings_amount: 30_000,
      optimization_type: 'identified',
      required_actions: ['Tie B', 'Tie A'],
    }),
    event('security_incident_event', t, at, {
      incident_type: 'phishing',
      severity: 'low',
      affects_customer_data: false,
    }),
    event('$pageview', t, at, { $current_url: 'https://example.com' }),
  ];
}

const alerts: AlertItem[] = [
  {
    id: 'a1',
    rule: 'r',
    severity: 'critical',
    tenantId: 'edge-co',
    state: 'open',
    eventIds: [],
    firstSeen: 1,
    lastSeen: 5,
    count: 1,
  },
  {
    id: 'a2',
    rule: 'r',
    severity: 'critical',
    tenantId: 'acme-corp',
    state: 'open',
    eventIds: [],
    firstSeen: 2,
    lastSeen: 9,
    count: 2,
  },
  {
    id: 'a3',
    rule: 'r',
    severity: 'high',
    tenantId: 'acme-corp',
    state: 'open',
    eventIds: [],
    firstSeen: 3,
    lastSeen: 10,
    count: 1,
  },
  {
    id: 'a4',
    rule: 'r',
    severity: 'critical',
    tenantId: 'acme-corp',
    state: 'resolved',
    eventIds: [],
    firstSeen: 3,
    lastSeen: 11,
    count: 1,
  },
];

/** Deep equality, numbers within 1e-9 relative (float sums depend on their order). */
function expectClose(actual: unknown, expected: unknown, path = 'summary'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = Math.max(1e-9, Math.abs(expected) * 1e-9);
    if (Math.abs(actual - expected) > tolerance) expect.fail(`${path}: ${actual} ≠ ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    expect(actual, path).toStrictEqual(expected);
    return;
  }
  expect(actual, path).toBeTypeOf('object');
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  expect(Object.keys(a).sort(), path).toStrictEqual(Object.keys(e).sort());
  for (const key of Object.keys(e)) expectClose(a[key], e[key], `${path}.${key}`);
}

describe('summarize equals a naive recomputation over the raw events', () => {
  let fx: Fixture;
  let streamed: Analytics;
  let rebuilt: Analytics;
  let tenants: string[];

  beforeAll(async () => {
    fx = await openFixture();
    // `streamed` starts on an empty store: everything it knows comes from the committed stream.
    streamed = createAnalytics({
      reads: fx.reads,
      stream: fx.stream,
      clock: () => fx.clock.now,
      criticalAlerts: () => alerts,
    });
    await streamed.ready();
    const generated = [
      ...generateEvents({ tenants: 5, days: 40, seed: 11, end: new Date(END), includeGeneric: true }),
    ];
    await fx.ingestOnTime([...generated, ...craftedEvents()]);
    // `rebuilt` reads the same events back from the store.
    rebuilt = createAnalytics({
      reads: fx.reads,
      stream: fx.stream,
      clock: () => fx.clock.now,
      criticalAlerts: () => alerts,
    });
    await rebuilt.ready();
    tenants = [...new Set(generated.map((e) => e.properties.tenant_id as string))];
  }, 120_000);
  afterAll(async () => {
    streamed.close();
    rebuilt.close();
    await fx.close();
  });

  const windows: [string, TimeWindow][] = [
    ['14 whole days', { from: END - 14 * DAY, to: END }],
    ['7 whole days mid-range', { from: END - 20 * DAY, to: END - 13 * DAY }],
    [
      'cut through days at both ends',
      { from: END - 10 * DAY - 5 * HOUR - 13 * 60_000, to: END - DAY + 7 * HOUR + 1 },
    ],
    ['within one day', { from: END - 3 * DAY + 2 * HOUR, to: END - 3 * DAY + 9.5 * HOUR }],
    ['across one midnight, under a day', { from: END - 5 * DAY - 3 * HOUR, to: END - 5 * DAY + 4 * HOUR }],
    ['edges on whole hours', { from: END - 6 * DAY + 3 * HOUR, to: END - 2 * DAY + 17 * HOUR }],
    [
      'within one hour',
      { from: END - 3 * DAY + 5 * HOUR + 600_000, to: END - 3 * DAY + 5 * HOUR + 3_000_000 },
    ],
    ['reaching past the data', { from: END - 2 * DAY - 1234, to: END + 3 * DAY }],
    ['before any data', { from: END - 100 * DAY, to: END - 90 * DAY }],
  ];
  const scopes: [string, () => SummaryScope][] = [
    ['one tenant', () => ({ tenants: [tenants[0] as string] })],
    ['the crafted tenant', () => ({ tenants: ['edge-co'] })],
    [
      'several (and an unknown one)',
      () => ({ tenants: [tenants[1] as string, tenants[3] as string, 'edge-co', 'nobody', 'edge-co'] }),
    ],
    ['all', () => ({ tenants: 'all' })],
    ['none', () => ({ tenants: [] })],
  ];

  for (const [scopeName, scopeOf] of scopes)
    for (const [windowName, window] of windows)
      it(`${scopeName}, ${windowName}`, async () => {
        const scope = scopeOf();
        const expected = naiveSummary(fx.stored, scope, window, { generatedAt: fx.clock.now, alerts });
        expectClose(await streamed.summarize(scope, window), expected);
        expectClose(await rebuilt.summarize(scope, window), expected);
      });

  it('defaults to the 30 days up to now', async () => {
    fx.clock.now = END - 2 * DAY + 5 * HOUR + 17 * 60_000;
    const window = { from: fx.clock.now - 30 * DAY, to: fx.clock.now };
    const summary = await streamed.summarize({ tenants: 'all' });
    expect(summary.window).toStrictEqual(window);
    expectClose(
      summary,
      naiveSummary(fx.stored, { tenants: 'all' }, window, { generatedAt: fx.clock.now, alerts }),
    );
  });

  it('exercises the crafted rules', async () => {
    const summary = await streamed.summarize({ tenants: ['edge-co'] }, { from: END - 14 * DAY, to: END });
    expect(summary.recommendedActions.map((a) => a.action)).toStrictEqual([
      'Call the CFO',
      'Offer a credit',
      'Tie A',
      'Tie B',
    ]);
    expect(summary.keyMetrics.strategicDecisionsTracked).toBe(2);
    expect(summary.keyMetrics.operationalEfficiencyScore).toBe(60);
    expect(summary.healthComponents.resources.inputs).toStrictEqual({ resources: 1, costEfficient: 0 });
    expect(summary.healthComponents.deliverability.inputs.bounceRate).toBe(0.3);
    expect(summary.keyMetrics.costOptimizationSavings).toBe(20_000);
    expect(summary.criticalAlerts.map((a) => a.id)).toStrictEqual(['a1']);
  });

  it('rejects an empty or reversed window', async () => {
    await expect(streamed.summarize({ tenants: 'all' }, { from: END, to: END })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      streamed.summarize({ tenants: 'all' }, { from: END, to: Number.NaN }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps the same rollups whether built from the stream or rebuilt from the store', async () => {
    const fromStream = new Rollups();
    for (const e of fx.stored)
      applyEvent(fromStream, {
        ...e,
        distinctId: '',
        tenantId: (e.properties.tenant_id as string | undefined) ?? null,
      });
    const fromStore = new Rollups();
    applyRebuildRows(fromStore, await fx.reads.rebuildRows(fromStore.lateGraceMs));
    expectClose(describeRollups(fromStore), describeRollups(fromStream));
  });
});

/** Rollups as plain data with names instead of interned ids (ids depend on arrival order). */
function describeRollups(rollups: Rollups): Record<string, Record<number, unknown>> {
  const out: Record<string, Record<number, unknown>> = {};
  for (const tenant of rollups.tenants.values()) {
    const days: Record<number, unknown> = {};
    for (const [day, r] of tenant.days)
      days[day] = describeDay(r, tenant.metrics.names, tenant.resources.names, tenant.decisions.names);
    out[tenant.id] = days;
  }
  return out;
}

function describeDay(r: DayRollup, metrics: string[], resources: string[], decisions: string[]) {
  const latest = (triples: number[], names: string[]) => {
    const out: Record<string, [number, number]> = {};
    for (let i = 0; i < triples.length; i += 3)
      out[names[triples[i] as number] as string] = [triples[i + 1] as number, triples[i + 2] as number];
    return out;
  };
  return {
    revenue: [r.revenuePositive, r.revenueNegative, r.revenueEvents],
    cost: [r.realized, r.projected],
    email: [r.emails, r.bouncedEmails],
    efficiency: latest(r.efficiency, metrics),
    resources: latest(r.resources, resources),
    decisions: r.decisions.map((d) => decisions[d]).sort(),
    actions: r.actions.map((a) => ({ ...a })),
    late: r.lateIngestedAt,
  };
}

describe('late events', () => {
  let fx: Fixture;
  let analytics: Analytics;
  const scope: SummaryScope = { tenants: 'all' };
  const week: TimeWindow = { from: END - 7 * DAY, to: END };
  const expectOracle = async (window: TimeWindow) => {
    const summary = await analytics.summarize(scope, window);
    expectClose(summary, naiveSummary(fx.stored, scope, window, { generatedAt: fx.clock.now }));
    return summary;
  };

  beforeAll(async () => {
    fx = await openFixture();
    analytics = createAnalytics({
      reads: fx.reads,
      stream: fx.stream,
      clock: () => fx.clock.now,
    });
    await analytics.ready();
    await fx.ingestOnTime([...generateEvents({ tenants: 3, days: 21, seed: 5, end: new Date(END) })]);
  }, 120_000);
  afterAll(async () => {
    analytics.close();
    await fx.close();
  });

  it('are none when everything arrived within the grace hour', async () => {
    expect((await expectOracle(week)).restatedAt).toBeNull();
    // 59 minutes after the day ended: still on time.
    await fx.ingest(
      [event('revenue_impact_event', 'acme-corp', END - 1000, { impact_amount: 5, impact_type: 'positive' })],
      END + 59 * 60_000,
    );
    expect((await expectOracle(week)).restatedAt).toBeNull();
  });

  it('change the window they belong to and set restatedAt', async () => {
    const before = await expectOracle(week);
    const at = END + 2 * DAY;
    await fx.ingest(
      [
        event('revenue_impact_event', 'acme-corp', END - 3 * DAY + 5 * HOUR, {
          impact_amount: 1_000_000,
          impact_type: 'positive',
        }),
      ],
      at,
    );
    const after = await expectOracle(week);
    expect(after.restatedAt).toBe(at);
    expect(after.keyMetrics.positiveRevenueImpact - before.keyMetrics.positiveRevenueImpact).toBeCloseTo(
      1_000_000,
      6,
    );
    // The next week's previous window is this one: restated too. A window two weeks on is not.
    expect((await expectOracle({ from: END, to: END + 7 * DAY })).restatedAt).toBe(at);
    expect((await expectOracle({ from: END + 7 * DAY, to: END + 14 * DAY })).restatedAt).toBeNull();
  });

  it('count at the edges only for the part of the day inside the window', async () => {
    const at = END + 3 * DAY;
    const day = END - 10 * DAY;
    await fx.ingest(
      [
        event('cost_optimization_event', 'globex', day + 20 * HOUR, {
          savings_amount: 500,
          optimization_type: 'implemented',
        }),
      ],
      at,
    );
    // Windows cutting through that day before and after the event's time.
    expect((await expectOracle({ from: day + 22 * HOUR, to: day + 23 * HOUR })).restatedAt).toBeNull();
    expect((await expectOracle({ from: day + 19 * HOUR, to: day + 30 * HOUR })).restatedAt).toBe(at);
    expect((await expectOracle({ from: day + 30 * HOUR, to: day + 40 * HOUR })).restatedAt).toBe(at); // previous window
  });

  it('update cached edge days, their hourly rollups included, as they are committed', async () => {
    const window = { from: END - 6 * DAY + 2 * HOUR + 123, to: END - DAY + 15 * HOUR + 456 };
    await expectOracle(window); // caches the edge days and builds their hours
    const day = END - DAY;
    await fx.ingest(
      [
        event('revenue_impact_event', 'globex', day + 14 * HOUR, {
          impact_amount: 77,
          impact_type: 'negative',
          action_required: 'Act now',
        }),
        event('operational_efficiency_event', 'globex', day + 3 * HOUR, {
          efficiency_metric: 'late_metric',
          efficiency_score: 12,
        }),
        event('resource_usage_event', 'acme-corp', day + 15 * HOUR + 400, {
          resource_type: 'db',
          current_usage: 1,
          capacity: 4,
          cost_efficient: false,
        }),
        event('strategic_decision_event', 'acme-corp', END - 6 * DAY + 2 * HOUR + 100, {
          decision_type: 'x',
          decision_title: 'Outside by 23 ms',
        }),
        event('strategic_decision_event', 'acme-corp', END - 6 * DAY + 23 * HOUR, {
          decision_type: 'x',
          decision_title: 'Inside',
        }),
      ],
      END + 5 * DAY,
    );
    const after = await expectOracle(window);
    expect(after.restatedAt).toBe(END + 5 * DAY);
  });

  it('of types that feed no metric do not restate', async () => {
    const at = END + 4 * DAY;
    await fx.ingest(
      [
        event('security_incident_event', 'acme-corp', END - 15 * DAY, {
          incident_type: 'ddos',
          severity: 'high',
          affects_customer_data: false,
        }),
        event('$pageview', 'acme-corp', END - 15 * DAY, {}),
      ],
      at,
    );
    const summary = await expectOracle({ from: END - 16 * DAY, to: END - 14 * DAY });
    expect(summary.restatedAt).toBeNull();
  });
});

describe('rebuild while events are being committed', () => {
  /** Reads whose rebuild waits for `before` to start and for `after` before returning. */
  function gatedReads(inner: AnalyticsReads) {
    const gates = { before: Promise.resolve(), after: Promise.resolve(), started: () => {} };
    const reads: AnalyticsOptions['reads'] = {
      async rebuildRows(lateGraceMs, after) {
        await gates.before;
        const rows = await inner.rebuildRows(lateGraceMs, after);
        gates.started();
        await gates.after;
        return rows;
      },
      edgeFacts: (requests) => inner.edgeFacts(requests),
      eventDeletions: () => inner.eventDeletions(),
    };
    return { reads, gates };
  }

  it('applies exactly the stream events its snapshot missed', async () => {
    const fx = await openFixture();
    try {
      const generated = [...generateEvents({ tenants: 3, days: 12, seed: 3, end: new Date(END) })];
      const cut = (k: number) => generated.filter((_, i) => i % 4 === k);
      await fx.ingestOnTime(cut(0));
      const { reads, gates } = gatedReads(fx.reads);
      let openBefore = () => {};
      let openAfter = () => {};
      let queried = () => {};
      gates.before = new Promise((r) => (openBefore = r));
      gates.after = new Promise((r) => (openAfter = r));
      const ranQuery = new Promise<void>((r) => (queried = r));
      gates.started = queried;
      const analytics = createAnalytics({ reads, stream: fx.stream, clock: () => fx.clock.now });
      // Committed and published before the snapshot is taken: in the snapshot and in the buffer.
      await fx.ingest(cut(1), END + HOUR);
      openBefore();
      await ranQuery;
      // Committed after the snapshot: only in the buffer; one commit shares the snapshot's newest instant.
      await fx.ingest(cut(2), END + HOUR);
      await fx.ingest(cut(3), END + 2 * HOUR);
      openAfter();
      const stats = await analytics.rebuild();
      await analytics.ready();
      expect(stats.replayed).toBeGreaterThan(0);
      for (const window of [
        { from: END - 12 * DAY, to: END },
        { from: END - 5 * DAY - 7 * HOUR, to: END - HOUR },
      ])
        expectClose(
          await analytics.summarize({ tenants: 'all' }, window),
          naiveSummary(fx.stored, { tenants: 'all' }, window, { generatedAt: fx.clock.now }),
        );
      analytics.close();
    } finally {
      await fx.close();
    }
  });
});
