import { afterEach, describe, expect, it } from 'vitest';
import type { ReportRunRecord, ReportScheduleRecord, ReportScheduleStore } from './report-schedule-store.js';

/** Two handles on one store's data (two processes' pools; one engine that is one process may give the same). */
export interface SharedReportScheduleStores {
  stores: [ReportScheduleStore, ReportScheduleStore];
  close(): Promise<void>;
}

/** Behaviour every ReportScheduleStore adapter must show; each adapter's test calls this. */
export function runReportScheduleStoreContract(
  name: string,
  open: () => Promise<SharedReportScheduleStores>,
): void {
  describe(`ReportScheduleStore contract: ${name}`, () => {
    let opened: SharedReportScheduleStores | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });
    const stores = async () => (opened = await open()).stores;

    const t0 = Date.UTC(2026, 2, 16, 7);
    const WEEK = 7 * 86_400_000;
    const schedule = (id: string, over: Partial<ReportScheduleRecord> = {}): ReportScheduleRecord => ({
      id,
      name: `Weekly "${id}" — O'Brien`,
      cron: '0 7 * * 1',
      timezone: 'Europe/Berlin',
      recipients: ['cfo@acme.test'],
      sections: ['executive-summary'],
      tenants: ['acme'],
      formats: ['html', 'pdf'],
      owner: { kind: 'user', id: 'u_1', tenants: 'all' },
      createdAt: t0,
      updatedAt: t0,
      ...over,
    });
    const run = (
      scheduleId: string,
      instant: number,
      over: Partial<ReportRunRecord> = {},
    ): ReportRunRecord => ({
      id: `${scheduleId}.${new Date(instant).toISOString()}`,
      scheduleId,
      instant,
      trigger: 'schedule',
      period: { from: instant - WEEK, to: instant },
      generatedAt: instant + 1234,
      recipients: [
        { recipient: 'cfo@acme.test', scope: 'Tenant: acme', deliveryId: 'report.x', skipped: null },
        { recipient: 'nobody@acme.test', scope: '—', deliveryId: null, skipped: 'not a user' },
      ],
      ...over,
    });

    it('keeps schedules whole, by id: put replaces, list is ordered, remove says whether one was there', async () => {
      const [s] = await stores();
      expect(await s.list()).toEqual([]);
      expect(await s.get('rs_b')).toBeNull();
      await s.put(schedule('rs_b'));
      await s.put(
        schedule('rs_a', { tenants: null, owner: { kind: 'api_key', id: 'k', tenants: ['x', 'y'] } }),
      );
      const patched = schedule('rs_b', { cron: '0 8 * * *', recipients: [], updatedAt: t0 + 5 });
      await s.put(patched);
      expect(await s.get('rs_b')).toEqual(patched);
      expect((await s.list()).map((r) => r.id)).toEqual(['rs_a', 'rs_b']);
      expect((await s.list())[0]).toEqual(
        schedule('rs_a', { tenants: null, owner: { kind: 'api_key', id: 'k', tenants: ['x', 'y'] } }),
      );
      expect(await s.remove('rs_b')).toBe(true);
      expect(await s.remove('rs_b')).toBe(false);
      expect((await s.list()).map((r) => r.id)).toEqual(['rs_a']);
    });

    it('records one run per id, lists runs newest first and knows the last instant of any trigger', async () => {
      const [s] = await stores();
      expect(await s.lastInstant('rs_a')).toBeNull();
      expect(await s.insertRun(run('rs_a', t0))).toBe(true);
      expect(await s.insertRun(run('rs_a', t0, { trigger: 'catch-up', recipients: [] }))).toBe(false);
      await s.insertRun(run('rs_a', t0 + WEEK, { trigger: 'missed', recipients: [] }));
      await s.insertRun(run('rs_a', t0 - WEEK, { trigger: 'manual' }));
      await s.insertRun(run('rs_b', t0 + 2 * WEEK));
      expect(await s.runs('rs_a', 10)).toEqual([
        run('rs_a', t0 + WEEK, { trigger: 'missed', recipients: [] }),
        run('rs_a', t0),
        run('rs_a', t0 - WEEK, { trigger: 'manual' }),
      ]);
      expect((await s.runs('rs_a', 1)).map((r) => r.instant)).toEqual([t0 + WEEK]);
      expect(await s.lastInstant('rs_a')).toBe(t0 + WEEK);
      expect(await s.runs('rs_c', 5)).toEqual([]);
    });

    it('lets one claim of a run stand until it lapses, and none once the run is recorded', async () => {
      const [s] = await stores();
      const id = run('rs_a', t0).id;
      expect(await s.claimRun(id, t0, t0 + 60_000)).toBe(true);
      expect(await s.claimRun(id, t0 + 1, t0 + 60_001)).toBe(false);
      // The claimer died: after its claim lapses, another may take it over.
      expect(await s.claimRun(id, t0 + 60_000, t0 + 120_000)).toBe(true);
      await s.insertRun(run('rs_a', t0));
      expect(await s.claimRun(id, t0 + 500_000, t0 + 560_000)).toBe(false);
      expect(await s.claimRun(run('rs_a', t0 + WEEK).id, t0, t0 + 60_000)).toBe(true);
    });

    it('grants a run claimed by two writers at once to exactly one of them', async () => {
      const [a, b] = await stores();
      const ids = Array.from({ length: 25 }, (_, i) => run('rs_a', t0 + i * WEEK).id);
      const granted = await Promise.all(
        ids.map((id) => Promise.all([a.claimRun(id, t0, t0 + 60_000), b.claimRun(id, t0, t0 + 60_000)])),
      );
      for (const pair of granted) expect(pair.filter(Boolean)).toHaveLength(1);
    });
  });
}
