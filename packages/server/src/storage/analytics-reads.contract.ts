import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, LATE_GRACE_MS } from '../analytics/facts.js';
import { applyEvent, applyRebuildRows, Rollups } from '../analytics/rollups.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { AnalyticsReads, ReportParams } from './analytics-reads.js';
import type { EventStore } from './event-store.js';
import type { Subscription } from './subscription-store.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

/** One engine's stores over one database: events go in through `events`, `reads` must see them. */
export interface AnalyticsReadsFixture {
  events: EventStore;
  /** Makes these the subscriptions the reports join (the event engine's copy, or the state it reads). */
  saveSubscriptions: (subscriptions: readonly Subscription[]) => Promise<void>;
  reads: AnalyticsReads;
  close(): Promise<void>;
}

const HOUR = 3_600_000;
const D = Date.UTC(2026, 0, 10);
const DAY = D / DAY_MS;
const FIRST_COMMIT = D + DAY_MS + 10 * 60_000;
const SECOND_COMMIT = D + 2 * DAY_MS;

let serial = 0;
const event = (name: string, tenant: string, timestamp: number, properties: object): CapturedEvent => ({
  uuid: `01944f5a-0000-7000-8000-${String(++serial).padStart(12, '0')}`,
  event: name,
  distinctId: tenant,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});

const lost = event('revenue_impact_event', 'a', D + 10 * HOUR, {
  impact_amount: 2500,
  impact_type: 'negative',
  mitigation_actions: ['IP rotation'],
});
const gained = event('revenue_impact_event', 'a', D + 11 * HOUR, {
  impact_amount: 1000,
  impact_type: 'positive',
});
const saved = event('cost_optimization_event', 'b', D + 12 * HOUR, {
  savings_amount: 400,
  optimization_type: 'implemented',
  optimization_category: 'compute',
});
const mail = event('email_deliverability_event', 'a', D + 13 * HOUR, {
  email_count: 1000,
  delivery_outcome: 'mixed',
  bounce_rate: 0.02,
  spam_rate: 0.001,
  provider: 'sendgrid',
});
const decided = event('strategic_decision_event', 'b', D + 14 * HOUR, {
  decision_id: 'd-1',
  decision_title: 'Move to ARM',
  decision_type: 'infrastructure',
  status: 'approved',
});
const pageview = event('$pageview', 'a', D + 15 * HOUR, { $current_url: 'https://example.com/' });
const nextDay = event('revenue_impact_event', 'b', D + DAY_MS + 3 * HOUR, {
  impact_amount: 300,
  impact_type: 'positive',
});
const firstBatch = [lost, gained, saved, mail, decided, pageview];

/**
 * A day of one tenant that exercises every rule of the rebuild: same-millisecond ties (lowest score, least
 * favourable resource state), trimmed and repeated actions, ties at the 5th action, a rejected list
 * (implemented savings), emails without a bounce rate, decisions without an id, and a late event.
 */
const R = D + 5 * DAY_MS;
const T = R + 9 * HOUR;
const efficiency = (timestamp: number, metric: string, score: number, extra: object = {}) =>
  event('operational_efficiency_event', 'c', timestamp, {
    efficiency_metric: metric,
    efficiency_score: score,
    ...extra,
  });
const resource = (timestamp: number, properties: object) =>
  event('resource_usage_event', 'c', timestamp, { current_usage: 5, capacity: 10, ...properties });
export const richDay = [
  efficiency(T, 'm1', 80, { recommendations: ['Tune'], cost_impact: -200 }),
  efficiency(T, 'm1', 60),
  efficiency(T - 1000, 'm2', 90, { recommendations: ['Tune '], cost_impact: 200 }),
  resource(T + HOUR, {
    resource_type: 'vps_instance',
    resource_id: 'vm-1',
    utilization_percentage: 50,
    total_cost: 100,
    cost_efficient: true,
    optimization_opportunities: ['Downsize'],
  }),
  resource(T + HOUR, {
    resource_type: 'vps_instance',
    resource_id: 'vm-1',
    utilization_percentage: 50,
    total_cost: 100,
    cost_efficient: false,
    optimization_opportunities: ['Downsize'],
  }),
  resource(T + 2 * HOUR, {
    resource_type: 'database',
    total_cost: 40,
    optimization_opportunities: ['Archive'],
  }),
  event('revenue_impact_event', 'c', T + 3 * HOUR, {
    impact_amount: 500,
    impact_type: 'negative',
    action_required: ' \v Rotate IPs\t',
    mitigation_actions: ['Warm up', 'Rotate IPs', '  '],
  }),
  event('cost_optimization_event', 'c', T, {
    savings_amount: 300,
    optimization_type: 'identified',
    optimization_category: 'compute',
    required_actions: ['Resize', 'Warm up'],
  }),
  event('cost_optimization_event', 'c', T, {
    savings_amount: 999,
    optimization_type: 'implemented',
    optimization_category: 'compute',
    required_actions: ['Ignored'],
  }),
  event('email_deliverability_event', 'c', T, {
    email_count: 500,
    provider: 'ses',
    actions_required: ['Fix DNS'],
    cost_impact: 100,
  }),
  event('email_deliverability_event', 'c', T + 1, {
    email_count: 200,
    bounce_rate: 0.1,
    provider: 'ses',
    risk_level: 'high',
  }),
  event('strategic_decision_event', 'c', T, { decision_id: 'd-2', status: 'proposed' }),
  event('strategic_decision_event', 'c', T + HOUR, { decision_id: 'd-2', status: 'approved' }),
  event('strategic_decision_event', 'c', T + 2 * HOUR, { decision_title: 'No id' }),
  event('security_incident_event', 'd', T, { severity: 'high' }),
];
/** A decisions report row's columns no event of the rich day sets. */
const noDecision = {
  decision_title: null,
  decision_type: null,
  status: null,
  expected_revenue_impact: null,
  actual_revenue_impact: null,
  expected_cost_impact: null,
  actual_cost_impact: null,
};
const lateOne = event('revenue_impact_event', 'c', T, { impact_amount: 50, impact_type: 'positive' });

/** Rollups as plain data, keys by name: two folds of the same events compare equal. */
export function plain(rollups: Rollups) {
  return Object.fromEntries(
    [...rollups.tenants].map(([id, t]) => {
      const triples = (values: readonly number[], names: readonly string[]) =>
        Object.fromEntries(
          Array.from({ length: values.length / 3 }, (_, i): [string, number[]] => [
            names[values[3 * i] as number] ?? '',
            values.slice(3 * i + 1, 3 * i + 3),
          ]),
        );
      const days = [...t.days].map(([day, r]): [number, object] => {
        const { efficiency, resources, decisions, actions, ...sums } = r;
        return [
          day,
          {
            ...sums,
            efficiency: triples(efficiency, t.metrics.names),
            resources: triples(resources, t.resources.names),
            decisions: decisions.map((d) => t.decisions.names[d]).sort(),
            actions,
          },
        ];
      });
      return [id, Object.fromEntries(days)] as [string, object];
    }),
  );
}

const window: ReportParams = { from: D, to: D + 2 * DAY_MS, monthStart: Date.UTC(2026, 0, 1) };

/** Behaviour every AnalyticsReads adapter must show, over events committed through its EventStore. */
export function runAnalyticsReadsContract(
  name: string,
  makeStores: (dir: string) => Promise<AnalyticsReadsFixture>,
): void {
  describe(`AnalyticsReads contract: ${name}`, () => {
    let fixture: AnalyticsReadsFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });
    const seeded = async () => {
      const f = (fixture = await makeStores(temporaryDirectory('pulse-reads-')));
      const commit = (events: CapturedEvent[], ingestedAt: number) =>
        f.events.commit({ events, quarantined: [], releasedQuarantineIds: [], ingestedAt });
      await commit(firstBatch, FIRST_COMMIT);
      await commit([nextDay], SECOND_COMMIT);
      return f;
    };
    const rollupsOf = async (reads: AnalyticsReads, after?: Parameters<AnalyticsReads['rebuildRows']>[1]) => {
      const rollups = new Rollups();
      const highWater = applyRebuildRows(rollups, await reads.rebuildRows(LATE_GRACE_MS, after));
      return { rollups, highWater };
    };

    it('rebuilds every tenant-day from the business events, with the high-water mark', async () => {
      const { reads } = await seeded();
      const { rollups, highWater } = await rollupsOf(reads);
      expect([...rollups.tenants.keys()].sort()).toEqual(['a', 'b']);
      const a = rollups.tenants.get('a')?.days.get(DAY);
      expect(a).toMatchObject({
        revenuePositive: 1000,
        revenueNegative: 2500,
        revenueEvents: 2,
        emails: 1000,
      });
      expect(a?.bouncedEmails).toBeCloseTo(20, 9);
      expect(a?.actions.map((x) => [x.action, x.stake, x.uuid])).toEqual([['IP rotation', 2500, lost.uuid]]);
      const b = rollups.tenants.get('b');
      expect(b?.days.get(DAY)).toMatchObject({ realized: 400, projected: 0 });
      expect(b?.decisions.names).toEqual(['d-1']);
      expect(b?.days.get(DAY + 1)).toMatchObject({ revenuePositive: 300, revenueEvents: 1 });
      expect(highWater).toEqual({ ingestedAt: SECOND_COMMIT, uuids: new Set([nextDay.uuid]) });
    });

    it('reads only what a snapshot does not hold when given what it applied', async () => {
      const { reads } = await seeded();
      const after = { ingestedAt: FIRST_COMMIT, uuids: firstBatch.map((e) => e.uuid) };
      const { rollups, highWater } = await rollupsOf(reads, after);
      expect([...rollups.tenants.keys()]).toEqual(['b']);
      expect([...(rollups.tenants.get('b')?.days.keys() ?? [])]).toEqual([DAY + 1]);
      expect(highWater?.ingestedAt).toBe(SECOND_COMMIT);
      const partly = await rollupsOf(reads, { ingestedAt: FIRST_COMMIT, uuids: [lost.uuid] });
      expect(partly.rollups.tenants.get('a')?.days.get(DAY)).toMatchObject({
        revenueNegative: 0,
        revenuePositive: 1000,
      });
    });

    it('folds to the same rollups as each stored event applied one by one', async () => {
      const { reads, events } = await seeded();
      const commit = (batch: CapturedEvent[], ingestedAt: number) =>
        events.commit({ events: batch, quarantined: [], releasedQuarantineIds: [], ingestedAt });
      await commit(richDay, R + DAY_MS + 10 * 60_000);
      await commit([lateOne], R + DAY_MS + 2 * HOUR);
      const expected = new Rollups();
      for (const stored of (await events.listEvents({ limit: 1000 })).events) applyEvent(expected, stored);
      const { rollups, highWater } = await rollupsOf(reads);
      expect(plain(rollups)).toEqual(plain(expected));
      const day = rollups.tenants.get('c')?.days.get(R / DAY_MS);
      expect(day?.actions.map((a) => [a.action, a.stake])).toEqual([
        ['Rotate IPs', 500],
        ['Warm up', 500],
        ['Resize', 300],
        ['Tune', 200],
        ['Downsize', 100],
      ]);
      expect(day?.lateIngestedAt).toBe(R + DAY_MS + 2 * HOUR);
      expect(highWater).toEqual({ ingestedAt: R + DAY_MS + 2 * HOUR, uuids: new Set([lateOne.uuid]) });
    });

    it('folds a snapshot and the rows after it to the same rollups as a rebuild of every event', async () => {
      const { reads, events } = await seeded();
      const snapshot = await rollupsOf(reads);
      const commit = (batch: CapturedEvent[], ingestedAt: number) =>
        events.commit({ events: batch, quarantined: [], releasedQuarantineIds: [], ingestedAt });
      await commit(richDay, R + DAY_MS + 10 * 60_000);
      await commit([lateOne], R + DAY_MS + 2 * HOUR);
      const at = snapshot.highWater;
      const after = { ingestedAt: at?.ingestedAt ?? 0, uuids: [...(at?.uuids ?? [])] };
      applyRebuildRows(snapshot.rollups, await reads.rebuildRows(LATE_GRACE_MS, after));
      expect(plain(snapshot.rollups)).toEqual(plain((await rollupsOf(reads)).rollups));
    });

    it('returns the raw summary events of the days asked, for the tenants asked', async () => {
      const { reads } = await seeded();
      const all = await reads.edgeFacts([{ day: DAY, tenants: 'all' }]);
      expect(all.uuid.slice(0, all.rows).sort()).toEqual(
        [lost, gained, saved, mail, decided].map((e) => e.uuid).sort(),
      );
      const i = all.uuid.indexOf(lost.uuid);
      expect([all.tenant[i], all.timestamp[i], all.ingestedAt[i]]).toEqual([
        'a',
        lost.timestamp,
        FIRST_COMMIT,
      ]);
      expect(JSON.parse(all.properties[i] ?? '{}')).toMatchObject({
        impact_amount: 2500,
        impact_type: 'negative',
      });
      const onlyB = await reads.edgeFacts([
        { day: DAY, tenants: ['b'] },
        { day: DAY + 1, tenants: ['b'] },
      ]);
      expect(onlyB.uuid.slice(0, onlyB.rows).sort()).toEqual(
        [saved, decided, nextDay].map((e) => e.uuid).sort(),
      );
      expect((await reads.edgeFacts([])).rows).toBe(0);
    });

    it('counts the retention runs that deleted events', async () => {
      const { reads, events } = await seeded();
      expect(await reads.eventDeletions()).toBe(0);
      const cut = { table: 'revenue_impact_event' as const, cutoff: D + 10 * HOUR + 1, tenants: new Map() };
      await events.deleteBefore([cut], { dryRun: true });
      expect(await reads.eventDeletions()).toBe(0);
      await events.deleteBefore([cut], { dryRun: false });
      expect(await reads.eventDeletions()).toBe(1);
    });

    it('answers the chart series of a scope in hourly buckets', async () => {
      const { reads } = await seeded();
      const series = await reads.chartSeries('all', { from: D, to: D + 2 * DAY_MS, bucket: 'hour' });
      expect(series.tenants).toEqual(['a', 'b']);
      expect(series.revenue).toEqual([
        { t: D + 10 * HOUR, negative: 2500, positive: 0 },
        { t: D + 11 * HOUR, negative: 0, positive: 1000 },
        { t: D + DAY_MS + 3 * HOUR, negative: 0, positive: 300 },
      ]);
      expect(series.savings).toEqual([{ t: D + 12 * HOUR, realized: 400, projected: 0 }]);
      expect(series.providers).toEqual([
        { provider: 'sendgrid', emails: 1000, bounceRate: 0.02, spamRate: 0.001, riskLevel: null },
      ]);
      const b = await reads.chartSeries(['b'], { from: D, to: D + 2 * DAY_MS, bucket: 'day' });
      expect(b.tenants).toEqual(['b']);
      expect(b.revenue).toEqual([{ t: D + DAY_MS, negative: 0, positive: 300 }]);
      expect(b.deliverability).toEqual([]);
    });

    it('answers every report and chart series of a day in full', async () => {
      const { reads, events, saveSubscriptions } = await seeded();
      await events.commit({
        events: [...richDay, lateOne],
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: R + DAY_MS,
      });
      await saveSubscriptions([
        {
          tenantId: 'c',
          status: 'active',
          planName: 'team',
          priceMonthly: 50,
          currentPeriodStart: R,
          currentPeriodEnd: null,
          updatedAt: R,
        },
      ]);
      const day = { from: R, to: R + DAY_MS, monthStart: R - DAY_MS };
      const reports = Object.fromEntries(
        await Promise.all(
          (
            [
              'performance-dashboard',
              'cost-optimization',
              'decisions',
              'deliverability',
              'resource-costs',
            ] as const
          ).map(async (name) => [name, await reads.reportRows(name, day, ['c'])] as const),
        ),
      );
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(reports).toEqual({
        'performance-dashboard': [
          {
            tenant_id: 'c',
            plan_name: 'team',
            current_period_start: iso(R),
            current_period_end: null,
            negative_revenue_impact: 500,
            positive_revenue_impact: 50,
            business_performance_score: -81.82,
            realized_savings: 999,
            projected_savings: 300,
            optimization_roi_percentage: 1998,
            avg_efficiency_score: 75,
            strategic_decisions_tracked: 1,
          },
        ],
        'cost-optimization': [
          {
            tenant_id: 'c',
            optimization_category: 'compute',
            optimization_count: 2,
            total_savings: 1299,
            avg_savings_percentage: null,
            avg_roi: null,
            implemented_count: 1,
            identified_count: 1,
          },
        ],
        decisions: [
          {
            ...noDecision,
            tenant_id: 'c',
            decision_id: richDay[13]?.uuid,
            decision_title: 'No id',
            last_update: iso(T + 2 * HOUR),
          },
          {
            ...noDecision,
            tenant_id: 'c',
            decision_id: 'd-2',
            status: 'approved',
            last_update: iso(T + HOUR),
          },
        ],
        deliverability: [{ tenant_id: 'c', emails: 700, bounce_rate: 0.1, spam_rate: null }],
        'resource-costs': [{ tenant_id: 'c', resources: 2, monthly_run_rate: 140 }],
      });
      expect(await reads.chartSeries(['c'], { from: R, to: R + DAY_MS, bucket: 'day' })).toEqual({
        tenants: ['c'],
        revenue: [{ t: R, negative: 500, positive: 50 }],
        savings: [{ t: R, realized: 999, projected: 300 }],
        efficiency: [
          { t: R, metric: 'm1', score: 70 },
          { t: R, metric: 'm2', score: 90 },
        ],
        deliverability: [{ t: R, bounceRate: 0.1, spamRate: null, emails: 700 }],
        providers: [{ provider: 'ses', emails: 700, bounceRate: 0.1, spamRate: null, riskLevel: 'high' }],
        runRate: [{ t: R, cost: 140 }],
        utilization: [
          {
            tenantId: 'c',
            resourceId: 'vm-1',
            resourceType: 'vps_instance',
            utilization: 50,
            totalCost: 100,
          },
          {
            tenantId: 'c',
            resourceId: 'database',
            resourceType: 'database',
            utilization: null,
            totalCost: 40,
          },
        ],
      });
    });

    it('answers the named reports over a scope', async () => {
      const { reads, saveSubscriptions } = await seeded();
      await saveSubscriptions([
        {
          tenantId: 'a',
          status: 'active',
          planName: 'pro',
          priceMonthly: 100,
          currentPeriodStart: null,
          currentPeriodEnd: null,
          updatedAt: D,
        },
      ]);
      expect(await reads.reportRows('deliverability', window, 'all')).toEqual([
        { tenant_id: 'a', emails: 1000, bounce_rate: 0.02, spam_rate: 0.001 },
      ]);
      const [performance, ...others] = await reads.reportRows('performance-dashboard', window, 'all');
      expect(others).toEqual([]);
      expect(performance).toMatchObject({
        tenant_id: 'a',
        plan_name: 'pro',
        negative_revenue_impact: 2500,
        positive_revenue_impact: 1000,
        business_performance_score: -42.86,
      });
      const decisions = await reads.reportRows('decisions', window, ['b']);
      expect(decisions).toMatchObject([{ tenant_id: 'b', decision_id: 'd-1', status: 'approved' }]);
      expect(await reads.reportRows('decisions', window, ['a'])).toEqual([]);
    });
  });
}
