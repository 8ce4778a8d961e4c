import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../analytics/facts.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { EventStore } from './event-store.js';
import type { ForecastSeriesStore } from './forecast-series-store.js';
import { temporaryDirectory } from '../../test/helpers/temp-dir.js';

/** One engine's event store and the forecast series read from it. */
export interface ForecastSeriesFixture {
  events: EventStore;
  store: ForecastSeriesStore;
  close(): Promise<void>;
}

const DAY = Date.UTC(2026, 2, 1) / DAY_MS;
const HOUR = 3_600_000;
const at = (day: number, hour: number) => day * DAY_MS + hour * HOUR;

let serial = 0;
const event = (name: string, tenant: string, timestamp: number, properties: object): CapturedEvent => ({
  uuid: `01944f5b-0000-7000-8000-${String(++serial).padStart(12, '0')}`,
  event: name,
  distinctId: tenant,
  timestamp,
  properties: { tenant_id: tenant, ...properties },
});
const revenue = (tenant: string, timestamp: number, amount: number, type: string) =>
  event('revenue_impact_event', tenant, timestamp, { impact_amount: amount, impact_type: type });
const saving = (tenant: string, timestamp: number, amount: number, type: string) =>
  event('cost_optimization_event', tenant, timestamp, { savings_amount: amount, optimization_type: type });
const usage = (tenant: string, timestamp: number, properties: object) =>
  event('resource_usage_event', tenant, timestamp, {
    resource_type: 'vps_instance',
    current_usage: 1,
    capacity: 2,
    ...properties,
  });

const stored = [
  revenue('a', at(DAY - 1, 5), 999, 'positive'),
  revenue('a', at(DAY, 1), 100, 'positive'),
  revenue('a', at(DAY, 2), 30, 'negative'),
  revenue('b', at(DAY, 3), 7, 'positive'),
  revenue('a', at(DAY + 2, 1), 50, 'negative'),
  saving('a', at(DAY, 4), 40, 'implemented'),
  saving('a', at(DAY, 5), 60, 'identified'),
  saving('a', at(DAY + 1, 5), 5, 'implemented'),
  // Run-rate: vm-1 reports before the window, changes twice on one day (the later one counts), db joins.
  usage('a', at(DAY - 2, 1), { resource_id: 'vm-1', total_cost: 100, utilization_percentage: 40 }),
  usage('a', at(DAY, 1), { resource_id: 'vm-1', total_cost: 120, utilization_percentage: 55 }),
  usage('a', at(DAY, 9), { resource_id: 'vm-1', total_cost: 150, utilization_percentage: 60 }),
  usage('a', at(DAY + 1, 1), { resource_type: 'database', total_cost: 40 }),
  usage('a', at(DAY + 1, 2), { resource_id: 'vm-1', utilization_percentage: 70 }),
  usage('a', at(DAY + 2, 2), { resource_id: 'vm-1', total_cost: 90, utilization_percentage: 80 }),
  usage('b', at(DAY + 1, 2), { resource_id: 'vm-9', resource_type: 'database', utilization_percentage: 10 }),
];

/** Behaviour every ForecastSeriesStore must show over events committed through its engine's EventStore. */
export function runForecastSeriesStoreContract(
  name: string,
  makeStores: (dir: string) => Promise<ForecastSeriesFixture>,
): void {
  describe(`ForecastSeriesStore contract: ${name}`, () => {
    let fixture: ForecastSeriesFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });
    const seeded = async () => {
      const f = (fixture = await makeStores(temporaryDirectory('pulse-forecast-')));
      await f.events.commit({
        events: stored,
        quarantined: [],
        releasedQuarantineIds: [],
        ingestedAt: at(DAY + 3, 0),
      });
      return f.store;
    };

    it('totals flows per UTC day with data, within the window and the scope', async () => {
      const store = await seeded();
      expect(await store.dailyMetric('net_revenue_impact', 'all', DAY, DAY + 3)).toEqual([
        { day: DAY, value: 77 },
        { day: DAY + 2, value: -50 },
      ]);
      expect(await store.dailyMetric('net_revenue_impact', ['b'], DAY, DAY + 3)).toEqual([
        { day: DAY, value: 7 },
      ]);
      expect(await store.dailyMetric('realized_savings', ['a'], DAY, DAY + 1)).toEqual([
        { day: DAY, value: 40 },
      ]);
      expect(await store.dailyMetric('net_revenue_impact', ['nobody'], DAY, DAY + 3)).toEqual([]);
    });

    it('gives the run-rate on each day it changed, the first day carrying what stood before', async () => {
      const store = await seeded();
      expect(await store.dailyMetric('cost_run_rate', ['a'], DAY, DAY + 3)).toEqual([
        { day: DAY, value: 150 },
        { day: DAY + 1, value: 190 },
        { day: DAY + 2, value: 130 },
      ]);
      expect(await store.dailyMetric('cost_run_rate', ['a'], DAY + 1, DAY + 2)).toEqual([
        { day: DAY + 1, value: 190 },
      ]);
    });

    it('fits a line through each resource daily utilization', async () => {
      const store = await seeded();
      const trends = await store.utilizationTrends('all', DAY, DAY + 3);
      expect(
        trends.map((t) => [t.tenantId, t.resourceId, t.resourceType, t.latest, t.lastDay, t.days]),
      ).toEqual([
        ['a', 'vm-1', 'vps_instance', 80, DAY + 2, 3],
        ['b', 'vm-9', 'database', 10, DAY + 1, 1],
      ]);
      const [vm, single] = trends;
      expect(vm?.slope).toBeCloseTo(10, 9);
      expect(vm?.fittedAtLastDay).toBeCloseTo(80, 9);
      expect([single?.slope, single?.fittedAtLastDay]).toEqual([null, null]);
      expect(await store.utilizationTrends(['b'], DAY, DAY + 1)).toEqual([]);
    });
  });
}
