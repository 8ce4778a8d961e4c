import { expect, it } from 'vitest';
import { LATE_GRACE_MS } from '../../analytics/facts.js';
import { applyEvent, applyRebuildRows, Rollups } from '../../analytics/rollups.js';
import type { CapturedEvent } from '../../ingestion/captured-event.js';
import { plain, richDay, runAnalyticsReadsContract } from '../analytics-reads.contract.js';
import { describeWithClickHouse } from '../../../test/helpers/clickhouse.js';
import { RowKind } from '../analytics-reads.js';
import { ClickHouseAnalyticsReads } from './clickhouse-analytics-reads.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

describeWithClickHouse('ClickHouse analytics reads', (clickhouse) => {
  runAnalyticsReadsContract('clickhouse', async () => {
    const events = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    const reads = await ClickHouseAnalyticsReads.open(events.connection);
    return {
      events,
      reads,
      saveSubscriptions: (rows) => reads.replaceSubscriptions(rows),
      close: () => events.close(),
    };
  });

  it('counts an event written twice once in every read, before and after the parts merge', async () => {
    const events = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const reads = await ClickHouseAnalyticsReads.open(events.connection);
      const day = Date.UTC(2026, 0, 10);
      const at = (hour: number, properties: object, i: number): CapturedEvent => ({
        uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
        event: 'revenue_impact_event',
        distinctId: 'a',
        timestamp: day + hour * 3_600_000,
        properties: { tenant_id: 'a', ...properties },
      });
      const batch = [
        at(10, { impact_amount: 100, impact_type: 'negative' }, 1),
        at(11, { impact_amount: 40, impact_type: 'positive' }, 2),
      ];
      const table = `${events.connection.target.database}.events`;
      // Merges held off, so the copies stay in separate parts until the OPTIMIZE below.
      await clickhouse.server.admin(`SYSTEM STOP MERGES ${table}`);
      // A commit retried after its insert was acknowledged but not reported: the same rows again.
      for (let copy = 0; copy < 3; copy++)
        await events.commit({
          events: batch,
          quarantined: [],
          releasedQuarantineIds: [],
          ingestedAt: day + 86_400_000,
        });
      const read = async () => {
        const rollups = new Rollups();
        applyRebuildRows(rollups, await reads.rebuildRows(LATE_GRACE_MS));
        const series = await reads.chartSeries('all', { from: day, to: day + 86_400_000, bucket: 'day' });
        const [report] = await reads.reportRows(
          'decisions',
          { from: day, to: day + 1, monthStart: day },
          'all',
        );
        return {
          day: rollups.tenants.get('a')?.days.get(day / 86_400_000),
          revenue: series.revenue,
          report,
        };
      };
      const expected = {
        day: expect.objectContaining({
          revenueEvents: 2,
          revenueNegative: 100,
          revenuePositive: 40,
        }) as unknown,
        revenue: [{ t: day, negative: 100, positive: 40 }],
      };
      expect(await read()).toEqual(expected);
      await clickhouse.server.admin(`SYSTEM START MERGES ${table}`);
      await clickhouse.server.admin(`OPTIMIZE TABLE ${table} FINAL`);
      expect(await read()).toEqual(expected);
    } finally {
      await events.close();
    }
  });

  it('folds copies of every kind of row once, in a rebuild and onto a snapshot', async () => {
    const events = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const reads = await ClickHouseAnalyticsReads.open(events.connection);
      const [first, ...rest] = richDay;
      const commit = (batch: CapturedEvent[], ingestedAt: number) =>
        events.commit({ events: batch, quarantined: [], releasedQuarantineIds: [], ingestedAt });
      const at = (first?.timestamp ?? 0) + 86_400_000;
      await commit(first ? [first] : [], at);
      const snapshot = new Rollups();
      const highWater = applyRebuildRows(snapshot, await reads.rebuildRows(LATE_GRACE_MS));
      // Merges held off: each copy stays in its own part, as after a replayed load.
      await clickhouse.server.admin(`SYSTEM STOP MERGES ${events.connection.target.database}.events`);
      for (let copy = 0; copy < 3; copy++) await commit(rest, at + 1);
      const expected = new Rollups();
      for (const stored of (await events.listEvents({ limit: 1000 })).events) applyEvent(expected, stored);
      const rebuilt = new Rollups();
      applyRebuildRows(rebuilt, await reads.rebuildRows(LATE_GRACE_MS));
      expect(plain(rebuilt)).toEqual(plain(expected));
      const after = { ingestedAt: at, uuids: [...(highWater?.uuids ?? [])] };
      applyRebuildRows(snapshot, await reads.rebuildRows(LATE_GRACE_MS, after));
      expect(plain(snapshot)).toEqual(plain(expected));
    } finally {
      await events.close();
    }
  });

  it('rebuilds after one load stored more events at one instant than a statement may list', async () => {
    const events = await ClickHouseEventStore.open(await clickhouse.freshDatabase());
    try {
      const reads = await ClickHouseAnalyticsReads.open(events.connection);
      const day = Date.UTC(2026, 0, 10);
      // ClickHouse refuses a statement of more than 50,000 syntax nodes: the uuids must travel as one array.
      const load = Array.from({ length: 60_000 }, (_, i): CapturedEvent => ({
        uuid: `01944f5d-0000-7000-8000-${String(i).padStart(12, '0')}`,
        event: 'revenue_impact_event',
        distinctId: 'a',
        timestamp: day + i,
        properties: { tenant_id: 'a', impact_amount: 1, impact_type: 'positive' },
      }));
      const ingestedAt = day + 86_400_000;
      await events.commit({ events: load, quarantined: [], releasedQuarantineIds: [], ingestedAt });
      const rebuilt = await reads.rebuildRows(LATE_GRACE_MS);
      const rollups = new Rollups();
      const highWater = applyRebuildRows(rollups, rebuilt);
      expect(rollups.tenants.get('a')?.days.get(day / 86_400_000)?.revenueEvents).toBe(60_000);
      expect(highWater?.uuids.size).toBe(60_000);
      const after = await reads.rebuildRows(LATE_GRACE_MS, {
        ingestedAt,
        uuids: [...(highWater?.uuids ?? [])],
      });
      expect(after.kind.filter((k) => k === RowKind.revenue).length).toBe(0);
    } finally {
      await events.close();
    }
  });
});
