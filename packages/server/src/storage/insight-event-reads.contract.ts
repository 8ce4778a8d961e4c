import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { EventStore } from './event-store.js';
import type { InsightReads } from './insight-store.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

/** The insight reads that read stored events, on one engine's event store. */
export interface InsightEventReadsFixture {
  events: EventStore;
  reads: InsightReads;
  close(): Promise<void>;
}

const T = Date.UTC(2026, 3, 1);
const HOUR = 3_600_000;
let serial = 0;
const event = (name: string, tenant: string, timestamp: number, properties: object): CapturedEvent => ({
  uuid: `01944f5c-0000-7000-8000-${String(++serial).padStart(12, '0')}`,
  event: name,
  distinctId: tenant,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});
const decision = (tenant: string, timestamp: number, properties: object) =>
  event('strategic_decision_event', tenant, timestamp, properties);

const proposed = decision('a', T, {
  decision_id: 'd-1',
  decision_title: 'Move to ARM',
  decision_type: 'infrastructure',
  status: 'proposed',
  expected_revenue_impact: 1000,
  next_review_date: '2026-05-01T00:00:00Z',
});
const stored = [
  proposed,
  decision('a', T + HOUR, { decision_id: 'd-1', status: 'approved', decision_maker: 'cto' }),
  decision('a', T + 2 * HOUR, { decision_id: 'd-1', actual_revenue_impact: 800 }),
  decision('b', T + 3 * HOUR, { decision_title: 'No id', status: 'proposed' }),
  decision('a', T + 10 * HOUR, { decision_id: 'd-late' }),
  event('revenue_impact_event', 'a', T, { impact_amount: 100, impact_type: 'positive' }),
  event('revenue_impact_event', 'a', T + 1, { impact_amount: 30, impact_type: 'negative' }),
  event('cost_optimization_event', 'b', T, { savings_amount: 50, optimization_type: 'identified' }),
  event('email_deliverability_event', 'a', T, { email_count: 1000, bounce_rate: 0.02 }),
  event('email_deliverability_event', 'a', T + 1, { email_count: 500 }),
  event('operational_efficiency_event', 'b', T, { efficiency_metric: 'm1', efficiency_score: 50 }),
  event('operational_efficiency_event', 'b', T + 1, { efficiency_metric: 'm1', efficiency_score: 70 }),
  event('operational_efficiency_event', 'b', T + 1, { efficiency_metric: 'm2', efficiency_score: 90 }),
];

/** Behaviour every engine's insight event reads must show over events committed through its EventStore. */
export function runInsightEventReadsContract(
  name: string,
  makeStores: (dir: string) => Promise<InsightEventReadsFixture>,
): void {
  describe(`Insight event reads contract: ${name}`, () => {
    let fixture: InsightEventReadsFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });
    const seeded = async () => {
      const f = (fixture = await makeStores(temporaryDirectory('pulse-insight-')));
      await f.events.commit({
        events: stored,
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: T + DAY,
      });
      return f.reads;
    };
    const DAY = 86_400_000;

    it('folds each decision from its events, newest activity first, with what a limit cut off', async () => {
      const reads = await seeded();
      const { records, truncated } = await reads.decisions({ tenants: 'all', to: T + 5 * HOUR, limit: 10 });
      expect(truncated).toBe(false);
      const noId = stored[3];
      expect(records).toEqual([
        {
          tenantId: 'b',
          decisionId: noId?.uuid,
          decisionType: null,
          title: 'No id',
          status: 'proposed',
          decisionMaker: null,
          expectedRevenue: null,
          expectedCost: null,
          actualRevenue: null,
          actualCost: null,
          nextReviewAt: null,
          firstEventAt: T + 3 * HOUR,
          lastEventAt: T + 3 * HOUR,
          firstAtByStatus: { proposed: T + 3 * HOUR },
        },
        {
          tenantId: 'a',
          decisionId: 'd-1',
          decisionType: 'infrastructure',
          title: 'Move to ARM',
          status: 'approved',
          decisionMaker: 'cto',
          expectedRevenue: 1000,
          expectedCost: null,
          actualRevenue: 800,
          actualCost: null,
          nextReviewAt: Date.UTC(2026, 4, 1),
          firstEventAt: T,
          lastEventAt: T + 2 * HOUR,
          firstAtByStatus: { proposed: T, approved: T + HOUR },
        },
      ]);
      const first = await reads.decisions({ tenants: ['a'], to: T + DAY, limit: 1 });
      expect([first.records.map((r) => r.decisionId), first.truncated]).toEqual([['d-late'], true]);
      expect(await reads.decisions({ tenants: ['nobody'], to: T + DAY, limit: 5 })).toEqual({
        records: [],
        truncated: false,
      });
    });

    it('adds up each tenant benchmark totals over a window', async () => {
      const reads = await seeded();
      const totals = await reads.tenantTotals({ from: T, to: T + HOUR });
      expect([...totals].sort((x, y) => x.tenantId.localeCompare(y.tenantId))).toEqual([
        {
          tenantId: 'a',
          revenue: { positive: 100, negative: 30 },
          savings: null,
          email: { emails: 1000, bouncedWeight: 20 },
          efficiency: null,
        },
        {
          tenantId: 'b',
          revenue: null,
          savings: { realized: 0, projected: 50 },
          email: null,
          efficiency: { sum: 160, readings: 2 },
        },
      ]);
      expect(await reads.tenantTotals({ from: T + DAY, to: T + 2 * DAY })).toEqual([]);
    });

    it('times the stored events asked for by uuid, as given, from a bound on', async () => {
      const reads = await seeded();
      const [first, second] = [stored[0]?.uuid ?? '', stored[1]?.uuid ?? ''];
      const times = await reads.eventTimes({
        uuids: [first, second.toUpperCase(), 'not-a-uuid', '01944f5c-0000-7000-8000-999999999999'],
        since: T,
      });
      expect(times).toEqual(
        new Map([
          [first, T],
          [second.toUpperCase(), T + HOUR],
        ]),
      );
      const later = await reads.eventTimes({ uuids: [first, second], since: T + 1 });
      expect(later).toEqual(new Map([[second, T + HOUR]]));
      expect(await reads.eventTimes({ uuids: [], since: 0 })).toEqual(new Map());
    });
  });
}
