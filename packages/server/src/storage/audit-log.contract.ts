import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../access/audit-chain.js';
import type { AuditLog } from './audit-log.js';
import { fixtures, type StoreFixture } from './fixtures.contract.js';

/** An audit log, plus what a contract needs around it: a second handle on the same trail, and tampering. */
export interface AuditLogFixture extends StoreFixture<AuditLog> {
  /** Another AuditLog on the same stored trail, as after a restart. */
  reopen(): Promise<AuditLog>;
  /** Changes the stored record `seq` behind the log's back (its result flipped between 'ok' and 'denied'). */
  edit(seq: number): Promise<void>;
  /** Deletes the stored record `seq` behind the log's back. */
  remove(seq: number): Promise<void>;
}

const T0 = Date.parse('2026-11-25T10:00:00Z');

const entry = (i: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: T0 + i * 1000,
  actor: { kind: 'api_key', id: i % 2 ? 'k-odd' : 'k-even', role: 'analyst' },
  action: i % 2 ? 'summary.read' : 'query.run',
  scope: ['acme'],
  detail: { sql: `SELECT 'x' AS "O'Brien"`, i },
  result: i % 5 === 0 ? 'denied' : 'ok',
  requestId: `req-${i}`,
  ...over,
});

/** Behaviour every AuditLog adapter must show; each adapter's test calls this. */
export function runAuditLogContract(name: string, open: () => Promise<AuditLogFixture>): void {
  describe(`AuditLog contract: ${name}`, () => {
    const fresh = fixtures(open);
    const appendMany = async (log: AuditLog, n: number) => {
      for (let i = 1; i <= n; i++) await log.append(entry(i));
    };

    it('chains concurrent appends into one linear trail that verifies', async () => {
      const { store } = await fresh();
      const records = await Promise.all(Array.from({ length: 60 }, (_, i) => store.append(entry(i + 1))));
      expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      const report = await store.verify();
      expect(report).toMatchObject({ ok: true, records: 60, problem: null });
      expect(report.head?.seq).toBe(60);
    });

    it('round-trips records exactly: quotes, nulls, nested detail, control characters', async () => {
      const { store } = await fresh();
      const written = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          store.append(
            entry(i + 1, {
              actor: { kind: 'system', id: 'pulse', role: null },
              requestId: i % 3 ? null : ["req-'", i, "'"].join(''),
              clientRequestId: i % 4 ? null : `client-${i}`,
              scope: i % 2 ? 'all' : ['acme', "o'neil"],
              detail: {
                title: `Revenue loss — "customer" ${i}\nline\u0000end`,
                amount: i * 1.5,
                nested: { ok: i % 2 === 0, list: [1, 'two', null] },
              },
            }),
          ),
        ),
      );
      expect(await store.list({ order: 'asc' })).toEqual(written);
      expect((await store.verify()).ok).toBe(true);
    });

    it('filters by actor, action (exact or prefix), result and time, newest first unless asked', async () => {
      const { store } = await fresh();
      await appendMany(store, 10);
      const [newest] = await store.list({ limit: 1 });
      expect(newest).toMatchObject({ seq: 10, action: 'query.run', detail: { i: 10 } });
      expect((await store.list({ actor: 'k-odd' })).map((r) => r.seq)).toEqual([9, 7, 5, 3, 1]);
      expect((await store.list({ result: 'denied', order: 'asc' })).map((r) => r.seq)).toEqual([5, 10]);
      expect((await store.list({ action: 'query.*' })).length).toBe(5);
      expect((await store.list({ action: 'query.' })).length).toBe(5);
      expect((await store.list({ action: 'query' })).length).toBe(0);
      expect((await store.list({ action: 'summary.read', limit: 2 })).map((r) => r.seq)).toEqual([9, 7]);
      const window = await store.list({ from: T0 + 3000, to: T0 + 6000, order: 'asc' });
      expect(window.map((r) => r.seq)).toEqual([3, 4, 5]);
    });

    it('a listing includes every record appended before it was asked for', async () => {
      const { store } = await fresh();
      const pending = Array.from({ length: 5 }, (_, i) => store.append(entry(i + 1)));
      expect((await store.list()).map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
      await Promise.all(pending);
    });

    it('continues the chain after reopening the trail', async () => {
      const fixture = await fresh();
      await appendMany(fixture.store, 3);
      const again = await fixture.reopen();
      expect((await again.append(entry(4))).seq).toBe(4);
      expect(await again.verify()).toMatchObject({ ok: true, records: 4 });
    });

    it('verify names an edited record, then a removed one', async () => {
      const fixture = await fresh();
      await appendMany(fixture.store, 8);
      await fixture.edit(5);
      const edited = await fixture.store.verify();
      expect(edited).toMatchObject({ ok: false, problem: { seq: 5, kind: 'edited' } });
      expect(edited.problem?.message).toContain('seq 5');
      await fixture.remove(5);
      expect((await fixture.store.verify()).problem).toMatchObject({ seq: 5, kind: 'removed' });
    });

    it('verify with an earlier head detects a removed tail', async () => {
      const fixture = await fresh();
      await appendMany(fixture.store, 6);
      const head = (await fixture.store.verify()).head ?? { seq: 0, hash: '' };
      await fixture.remove(6);
      expect((await fixture.store.verify()).ok).toBe(true); // a chain alone cannot see a cut tail…
      expect((await fixture.store.verify(head)).problem).toMatchObject({ seq: 6, kind: 'removed' }); // …its head can
    });
  });
}
