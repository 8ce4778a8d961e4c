import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_LEASE_MS, type EventHistorySource, type EventStateSource } from '../alert-store.js';
import { runAlertStoreContract } from '../alert-store.contract.js';
import { opened, T0, transition } from '../../../test/helpers/alert-fixtures.js';
import { openDuckDbAlertEventSource } from '../duckdb/alert-event-reads.js';
import { DuckDbEventStore } from '../duckdb/duckdb-event-store.js';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';
import { PgAlertStore } from './pg-alert-store.js';

describeWithPostgres('PgAlertStore', (postgres) => {
  let events: DuckDbEventStore;
  let source: EventStateSource & EventHistorySource;
  beforeAll(async () => {
    events = await DuckDbEventStore.open({ path: join(temporaryDirectory('pulse-pg-alerts-'), 'e.duckdb') });
    source = await openDuckDbAlertEventSource(events);
  }, 60_000);
  afterAll(async () => {
    await events?.close();
  });

  runAlertStoreContract('PostgreSQL', async () => {
    const pool = await postgres.freshPool();
    const store = await PgAlertStore.open(pool, source);
    return {
      store,
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  });

  describe('shared by two processes (a pool and a store each)', () => {
    let pools: pg.Pool[] = [];
    let a: PgAlertStore;
    let b: PgAlertStore;
    afterEach(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await Promise.all(pools.map((p) => p.end()));
      pools = [];
    });
    /** Two stores on one database, opened at the same time as two starting processes would. */
    const openTwo = async (logged: unknown[] = []) => {
      // A statement waiting on a row lock fails after a while instead of hanging the test.
      pools = await postgres.freshPools(2, '?options=-c%20lock_timeout%3D5000');
      const logger = { info: (fields: unknown) => logged.push(fields) };
      [a, b] = (await Promise.all(pools.map((pool) => PgAlertStore.open(pool, source, logger)))) as [
        PgAlertStore,
        PgAlertStore,
      ];
    };

    it('raises one alert when both see the same condition: the other one, its transition and notification are dropped', async () => {
      const logged: unknown[] = [];
      await openTwo(logged);
      const keys = Array.from({ length: 20 }, (_, i) => `revenue-loss-critical|acme|n=${i}`);
      const raised = keys.map((dedupKey) => [opened({ dedupKey }), opened({ dedupKey })] as const);
      await Promise.all(
        raised.flatMap(([first, second]) => [
          a.write({ alerts: [first.alert], transitions: [first.transition], deliveries: [first.delivery] }),
          b.write({
            alerts: [second.alert],
            transitions: [second.transition],
            deliveries: [second.delivery],
          }),
        ]),
      );
      const active = await a.activeAlerts();
      expect(active.map((x) => x.dedupKey).sort()).toEqual([...keys].sort());
      const outbox = await a.listDeliveries({ limit: 100 });
      expect(outbox.map((d) => d.alertId).sort()).toEqual(active.map((x) => x.id).sort());
      for (const x of active) expect((await b.transitions(x.id)).map((t) => t.kind)).toEqual(['opened']);
      expect(logged).toHaveLength(20);

      // The loser's later changes to its dropped alert are dropped too: no second alert appears, even resolved.
      const [first, second] = raised[0] ?? [];
      const loser = active.some((x) => x.id === first?.alert.id) ? second : first;
      const winner = loser === first ? b : a;
      const loserStore = loser === first ? a : b;
      const resolvedAt = T0 + 5;
      const resolvedLoser = { ...loser!.alert, state: 'resolved' as const, resolvedAt, count: 2 };
      await loserStore.write({
        alerts: [resolvedLoser],
        transitions: [transition(loser!.alert, { kind: 'resolved', at: resolvedAt })],
        deliveries: [],
      });
      expect(await winner.getAlert(loser!.alert.id)).toBeNull();
      expect(await winner.transitions(loser!.alert.id)).toEqual([]);
      expect(await winner.listAlerts({ limit: 100 })).toHaveLength(20);
    });

    it('claims each due outbox row for one of two claimers at a time', async () => {
      await openTwo();
      const rows = Array.from({ length: 60 }, (_, i) => opened({ dedupKey: `k${i}` }));
      await a.write({
        alerts: rows.map((r) => r.alert),
        transitions: rows.map((r) => r.transition),
        deliveries: rows.map((r) => r.delivery),
      });
      // The writer died: its hold has run out; both survivors claim, a few rows at a time, at once.
      const now = T0 + DELIVERY_LEASE_MS;
      const drain = async (store: PgAlertStore) => {
        const got: string[] = [];
        for (;;) {
          const claimed = await store.claimDeliveries(now, 3);
          if (!claimed.length) return got;
          got.push(...claimed.map((d) => d.id));
        }
      };
      const [byA, byB] = await Promise.all([drain(a), drain(b)]);
      expect([...byA, ...byB].sort()).toEqual(rows.map((r) => r.delivery.id).sort());
      expect(byA.filter((id) => byB.includes(id))).toEqual([]);
    });

    it('passes over rows another process is claiming right now, without waiting for it', async () => {
      await openTwo();
      const rows = Array.from({ length: 5 }, (_, i) => opened({ dedupKey: `k${i}` }));
      await a.write({
        alerts: rows.map((r) => r.alert),
        transitions: rows.map((r) => r.transition),
        deliveries: rows.map((r) => r.delivery),
      });
      const [first, ...others] = rows.map((r) => r.delivery.id).sort();
      // Another process's claim of the first row, not committed yet: it holds the row's lock.
      const holder = await (pools[0] as pg.Pool).connect();
      try {
        await holder.query('BEGIN');
        await holder.query('UPDATE alert_outbox SET claimed_until = claimed_until WHERE id = $1', [first]);
        const now = T0 + DELIVERY_LEASE_MS;
        expect((await b.claimDeliveries(now, 10)).map((d) => d.id).sort()).toEqual(others);
        await holder.query('ROLLBACK');
        expect((await b.claimDeliveries(now, 10)).map((d) => d.id)).toEqual([first]);
      } finally {
        holder.release();
      }
    });

    it('keeps an acknowledgement against a stale snapshot from the other process; a refire reopens', async () => {
      await openTwo();
      const { alert: x, transition: t } = opened();
      await a.write({ alerts: [x], transitions: [t], deliveries: [] });
      const acked = {
        ...x,
        state: 'acknowledged' as const,
        acknowledgedBy: 'ops@acme',
        acknowledgedAt: T0 + 1,
      };
      await a.write({
        alerts: [acked],
        transitions: [transition(x, { kind: 'acknowledged', at: T0 + 1, actor: 'ops@acme' })],
        deliveries: [],
      });
      // The other process had not seen the acknowledgement: its repeat of the open alert is refused.
      await b.write({ alerts: [{ ...x, count: 2, lastSeen: T0 + 2 }], transitions: [], deliveries: [] });
      expect(await a.getAlert(x.id)).toEqual(acked);
      const refired = { ...x, count: 3, lastSeen: T0 + 3 };
      await b.write({
        alerts: [refired],
        transitions: [transition(x, { kind: 'refired', at: T0 + 3 })],
        deliveries: [],
      });
      expect(await a.getAlert(x.id)).toEqual(refired);
      expect((await a.transitions(x.id)).map((k) => k.kind)).toEqual(['opened', 'acknowledged', 'refired']);
    });

    it('replaces rules and budgets whole when both save at once', async () => {
      await openTwo();
      const budgets = (usd: number) => [
        { tenantId: 'acme', resourceType: null, monthlyUsd: usd, updatedAt: T0 },
        { tenantId: 'acme', resourceType: 'database', monthlyUsd: usd / 10, updatedAt: T0 },
      ];
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).replaceBudgets('acme', budgets(1000 * (i + 1)))),
      );
      const stored = await a.listBudgets();
      expect(stored).toHaveLength(2);
      expect(stored[1]?.monthlyUsd).toBe((stored[0]?.monthlyUsd ?? 0) / 10);
      const rules = [{ id: 'r1' }, { id: 'r2' }] as never[];
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).saveRules(rules)));
      expect(await b.loadRules()).toEqual(rules);
    });
  });

  it('answers the rules’ event reads from the event store it was given', async () => {
    const store = await PgAlertStore.open(await postgres.freshPool(), source);
    await events.commit({
      events: [
        {
          uuid: '01944f5a-0000-7000-8000-00000000a1e7',
          event: 'email_deliverability_event',
          distinctId: 'acme',
          timestamp: T0,
          properties: { tenant_id: 'acme', email_count: 3, delivery_outcome: 'bounced', bounce_rate: 0.2 },
        },
      ],
      quarantined: [],
      releasedQuarantineIds: [],
      ingestedAt: T0,
    });
    const recent = await store.recentEvents({
      event: 'email_deliverability_event',
      columns: ['email_count'],
      minutes: 5,
    });
    expect(recent.map((r) => [r.tenantId, r.values.email_count])).toEqual([['acme', 3]]);
    expect(
      await store.eventsBetween({ event: 'email_deliverability_event', from: T0, to: T0, limit: 5 }),
    ).toHaveLength(1);
  });
});
