import { afterEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../alerts/default-rules.js';
import type { Delivery, Transition } from '../alerts/types.js';
import { DELIVERY_LEASE_MS, type AlertFilter, type AlertStore } from './alert-store.js';
import { alert, delivery, opened, silence, T0, transition } from '../../test/helpers/alert-fixtures.js';

export interface OpenedAlertStore {
  store: AlertStore;
  /** Closes the store and whatever it was opened on. */
  close: () => Promise<void>;
}

/** Behaviour every AlertStore adapter must show; each adapter's test calls this. */
export function runAlertStoreContract(name: string, open: () => Promise<OpenedAlertStore>): void {
  describe(`AlertStore contract: ${name}`, () => {
    let opening: OpenedAlertStore | undefined;
    afterEach(async () => {
      await opening?.close();
      opening = undefined;
    });
    const fresh = async () => (opening = await open()).store;
    const pending = async (store: AlertStore) =>
      (await store.listDeliveries({ statuses: ['pending'], limit: 1000 })).map((d) => d.id).sort();

    it('writes an alert, its transition and its outbox rows in one transaction, or nothing', async () => {
      const store = await fresh();
      const a = alert();
      const t = transition(a);
      await store.write({
        alerts: [a],
        transitions: [t],
        deliveries: [delivery(a, t), delivery(a, t, 'slack')],
      });
      expect(await store.getAlert(a.id)).toEqual(a);
      expect(await store.activeAlerts()).toEqual([a]);
      expect(await store.transitions(a.id)).toEqual([t]);
      expect(await store.transition(a.id, t.id)).toEqual(t);
      expect(await store.transition(a.id, 'tr_unknown')).toBeNull();
      expect(await pending(store)).toEqual([`${t.id}.slack`, `${t.id}.webhook`]);
      expect(await store.getDelivery(`${t.id}.slack`)).toEqual(delivery(a, t, 'slack'));

      // The outbox insert fails: the alert and transition written with it must not stay.
      const b = alert({ dedupKey: 'other' });
      const tb = transition(b);
      const broken = { ...delivery(b, tb), channel: null as unknown as Delivery['channel'] };
      await expect(store.write({ alerts: [b], transitions: [tb], deliveries: [broken] })).rejects.toThrow(
        /not[- ]null/i,
      );
      expect(await store.getAlert(b.id)).toBeNull();
      expect(await store.transitions(b.id)).toEqual([]);
      expect(await store.transition(b.id, tb.id)).toBeNull();
      expect(await pending(store)).toHaveLength(2);

      // Snapshots replace by id; a resolved alert is no longer active.
      const ack = transition(a, { kind: 'acknowledged', at: T0 + 1, actor: 'ops@acme', comment: 'on it' });
      const resolve = transition(a, { kind: 'resolved', at: T0 + 2, actor: 'ops@acme' });
      await store.write({
        alerts: [{ ...a, count: 5, state: 'resolved', resolvedAt: T0 + 2, resolution: 'manual' }],
        transitions: [ack, resolve],
        deliveries: [],
      });
      expect(await store.getAlert(a.id)).toMatchObject({ count: 5, state: 'resolved', resolvedAt: T0 + 2 });
      expect(await store.activeAlerts()).toEqual([]);
      expect((await store.transitions(a.id)).map((x) => x.kind)).toEqual([
        'opened',
        'acknowledged',
        'resolved',
      ]);
    });

    it('keeps amounts and values beyond 64-bit integers, as an event may carry them', async () => {
      const store = await fresh();
      const a = alert({ amount: 1.2345678901234568e29, value: -1e300 });
      await store.write({ alerts: [a], transitions: [transition(a)], deliveries: [] });
      expect(await store.getAlert(a.id)).toEqual(a);
    });

    it('writes large batches and replaces their snapshots', async () => {
      const store = await fresh();
      const many = Array.from({ length: 200 }, (_, i) =>
        alert({ dedupKey: `k${i}`, keyParts: { n: String(i) } }),
      );
      const opens = many.map((a) => transition(a));
      await store.write({
        alerts: many,
        transitions: opens,
        deliveries: many.map((a, i) => delivery(a, opens[i] as Transition)),
      });
      expect(await store.activeAlerts()).toHaveLength(200);
      await store.write(
        {
          alerts: many.map((a) => ({ ...a, count: 7, eventUuids: ['x', "it's"] })),
          transitions: [],
          deliveries: [],
        },
        'bulk',
      );
      const after = await store.activeAlerts();
      expect(after).toHaveLength(200);
      expect(after.every((a) => a.count === 7 && a.eventUuids[1] === "it's")).toBe(true);
      expect(await store.getAlert(many[42]?.id ?? '')).toEqual({
        ...many[42],
        count: 7,
        eventUuids: ['x', "it's"],
      });
      expect(await pending(store)).toHaveLength(200);
    });

    it('records how far the alert journal is stored, with the batch that got it there', async () => {
      const store = await fresh();
      expect(await store.journalStored('j-1')).toBe(0);
      const first = opened();
      await store.write({ alerts: [first.alert], transitions: [first.transition], deliveries: [] }, 'fast', {
        id: 'j-1',
        end: 4096,
      });
      expect(await store.journalStored('j-1')).toBe(4096);
      await store.write({ alerts: [], transitions: [], deliveries: [] }, 'fast', { id: 'j-1', end: 8192 });
      expect(await store.journalStored('j-1')).toBe(8192);
      // Each journal (each process's) keeps its own position.
      await store.write({ alerts: [], transitions: [], deliveries: [] }, 'fast', { id: 'j-2', end: 100 });
      expect(await store.journalStored('j-1')).toBe(8192);
      expect(await store.journalStored('j-2')).toBe(100);
    });

    it('lists alerts by state, severity, tenant, rule, outlook, silence and time, a page at a time', async () => {
      const store = await fresh();
      const rows = [
        alert({ severity: 'critical', tenantId: 'acme', lastSeen: T0, firstSeen: T0 }),
        alert({
          severity: 'high',
          ruleId: 'efficiency-low-high',
          dedupKey: 'b',
          lastSeen: T0 + 10,
          firstSeen: T0,
        }),
        alert({
          severity: 'medium',
          tenantId: 'globex',
          dedupKey: 'c',
          state: 'resolved',
          outlook: 'opportunity',
          lastSeen: T0 + 20,
          firstSeen: T0 + 5,
        }),
      ];
      await store.write({ alerts: rows, transitions: [], deliveries: [] });
      const ids = async (filter: AlertFilter) =>
        (await store.listAlerts(filter)).map((a) => rows.findIndex((r) => r.id === a.id));
      expect(await ids({ limit: 10 })).toEqual([2, 1, 0]);
      expect(await ids({ states: ['open'], limit: 10 })).toEqual([1, 0]);
      expect(await ids({ severities: ['critical', 'medium'], limit: 10 })).toEqual([2, 0]);
      expect(await ids({ tenants: ['globex'], limit: 10 })).toEqual([2]);
      expect(await ids({ rules: ['efficiency-low-high'], limit: 10 })).toEqual([1]);
      expect(await ids({ outlooks: ['opportunity'], limit: 10 })).toEqual([2]);
      expect(await ids({ ids: [rows[0]?.id ?? '', 'nope'], limit: 10 })).toEqual([0]);
      expect(await ids({ from: T0 + 10, limit: 10 })).toEqual([2, 1]);
      expect(await ids({ to: T0 + 5, limit: 10 })).toEqual([1, 0]);
      expect(await ids({ limit: 1 })).toEqual([2]);
      const page = { lastSeen: T0 + 20, id: rows[2]?.id ?? '' };
      expect(await ids({ after: page, limit: 10 })).toEqual([1, 0]);
      const muted = { alertIds: [], tenantRules: [{ tenantId: 'acme', ruleId: 'revenue-loss-critical' }] };
      expect(await ids({ silenced: { mode: 'exclude', set: muted }, limit: 10 })).toEqual([2, 1]);
      expect(await ids({ silenced: { mode: 'only', set: muted }, limit: 10 })).toEqual([0]);
      const snoozed = { alertIds: [rows[1]?.id ?? ''], tenantRules: [] };
      expect(await ids({ silenced: { mode: 'only', set: snoozed }, limit: 10 })).toEqual([1]);
      expect(
        await ids({ silenced: { mode: 'only', set: { alertIds: [], tenantRules: [] } }, limit: 10 }),
      ).toEqual([]);
    });

    it('groups alerts per tenant + rule with their counts and sparkline, a page at a time', async () => {
      const store = await fresh();
      const rows = [
        alert({ count: 2, amount: 100, lastSeen: T0 + 10, lastEventAt: T0 + 10, firstSeen: T0 }),
        alert({
          dedupKey: 'b',
          count: 3,
          amount: 50,
          severity: 'high',
          title: 'newest title',
          state: 'acknowledged',
          lastSeen: T0 + 95,
          lastEventAt: null,
          firstSeen: T0 + 50,
        }),
        alert({
          dedupKey: 'c',
          state: 'resolved',
          count: 1,
          amount: null,
          lastSeen: T0 + 500,
          lastEventAt: T0 + 500,
        }),
        alert({ tenantId: 'globex', dedupKey: 'd', lastSeen: T0 + 20, lastEventAt: T0 + 20 }),
      ];
      await store.write({ alerts: rows, transitions: [], deliveries: [] });
      const query = { filter: { limit: 10 }, slices: { from: T0, to: T0 + 100, count: 4 } };
      const groups = await store.alertGroups(query);
      expect(groups).toEqual([
        {
          tenantId: 'acme',
          ruleId: 'revenue-loss-critical',
          ruleName: 'Negative revenue impact over $10,000',
          severity: 'critical',
          outlook: 'risk',
          title: rows[2]?.title,
          latestId: rows[2]?.id,
          alerts: 3,
          occurrences: 6,
          open: 1,
          acknowledged: 1,
          resolved: 1,
          amount: 150,
          firstSeen: T0,
          lastSeen: T0 + 500,
          // T0+10 in slice 0, T0+95 (its last seen) in 3, T0+500 (past the range) in the last one too.
          counts: [2, 0, 0, 4],
        },
        expect.objectContaining({ tenantId: 'globex', alerts: 1, occurrences: 1, counts: [1, 0, 0, 0] }),
      ]);
      const next = await store.alertGroups({
        ...query,
        after: { lastSeen: T0 + 500, tenantId: 'acme', ruleId: 'revenue-loss-critical' },
      });
      expect(next.map((g) => g.tenantId)).toEqual(['globex']);
      const open = await store.alertGroups({ ...query, filter: { states: ['open'], limit: 1 } });
      expect(open.map((g) => [g.tenantId, g.alerts])).toEqual([['globex', 1]]);
    });

    it('updates outbox rows and inserts idempotent ones once', async () => {
      const store = await fresh();
      const { alert: a, transition: t, delivery: d } = opened();
      await store.write({ alerts: [a], transitions: [t], deliveries: [d] });
      await store.updateDeliveries([
        { id: d.id, status: 'dead', attempts: 3, nextAttemptAt: T0, lastError: '400 no', sentAt: null },
      ]);
      expect(await store.getDelivery(d.id)).toMatchObject({
        status: 'dead',
        attempts: 3,
        lastError: '400 no',
      });
      expect(await pending(store)).toEqual([]);
      expect((await store.listDeliveries({ statuses: ['dead'], limit: 5 })).map((x) => x.id)).toEqual([d.id]);
      expect(
        (await store.listDeliveries({ alertId: a.id, channel: 'webhook', limit: 5 })).map((x) => x.id),
      ).toEqual([d.id]);
      expect(await store.listDeliveries({ channel: 'email', limit: 5 })).toEqual([]);
      const digest = {
        ...d,
        id: 'digest.2026-03-09T08:00:00.000Z.email.ceo@acme',
        alertId: null,
        transitionId: null,
      };
      expect(await store.insertDeliveries([digest])).toEqual([digest]);
      expect(await store.insertDeliveries([digest])).toEqual([]);
      expect(await store.getDelivery('nope')).toBeNull();
    });

    it('claims due outbox rows no sender holds, and holds them for the claimer', async () => {
      const store = await fresh();
      const sent = opened({ dedupKey: 'sent' });
      const retried = opened({ dedupKey: 'retried' });
      const later = opened({ dedupKey: 'later' });
      later.delivery.nextAttemptAt = T0 + 10 * DELIVERY_LEASE_MS;
      const all = [sent, retried, later];
      await store.write({
        alerts: all.map((x) => x.alert),
        transitions: all.map((x) => x.transition),
        deliveries: all.map((x) => x.delivery),
      });
      // The writer holds what it wrote: it sends those rows at once.
      expect(await store.claimDeliveries(T0 + DELIVERY_LEASE_MS - 1, 10)).toEqual([]);
      await store.updateDeliveries([
        {
          id: sent.delivery.id,
          status: 'sent',
          attempts: 1,
          nextAttemptAt: T0,
          lastError: null,
          sentAt: T0 + 5,
        },
        {
          id: retried.delivery.id,
          status: 'pending',
          attempts: 1,
          nextAttemptAt: T0 + 1000,
          lastError: '503',
          sentAt: null,
        },
      ]);
      // A row left pending stays its sender's until its next attempt plus the hold.
      expect(await store.claimDeliveries(T0 + 1000 + DELIVERY_LEASE_MS - 1, 10)).toEqual([]);
      // The sender died: once the hold runs out, one claim takes the row, and holds it in turn.
      const at = T0 + 1000 + DELIVERY_LEASE_MS;
      const [claimed, ...rest] = await store.claimDeliveries(at, 10);
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({
        id: retried.delivery.id,
        attempts: 1,
        lastError: '503',
        status: 'pending',
      });
      expect(await store.claimDeliveries(at, 10)).toEqual([]);
      expect(await store.claimDeliveries(at + DELIVERY_LEASE_MS - 1, 10)).toEqual([]);
      expect((await store.claimDeliveries(at + DELIVERY_LEASE_MS, 10)).map((d) => d.id)).toEqual([
        retried.delivery.id,
      ]);
      // Not before it is due, at most `limit`, oldest due first; a sent row never.
      const due = later.delivery.nextAttemptAt + DELIVERY_LEASE_MS;
      expect((await store.claimDeliveries(due + 3 * DELIVERY_LEASE_MS, 1)).map((d) => d.id)).toEqual([
        retried.delivery.id,
      ]);
      expect((await store.claimDeliveries(due + 3 * DELIVERY_LEASE_MS, 5)).map((d) => d.id)).toEqual([
        later.delivery.id,
      ]);
    });

    it('keeps rules and budgets', async () => {
      const store = await fresh();
      expect(await store.loadRules()).toBeNull();
      await store.saveRules(defaultRules);
      expect(await store.loadRules()).toEqual(JSON.parse(JSON.stringify(defaultRules)));
      await store.saveRules([]);
      expect(await store.loadRules()).toEqual([]);
      await store.replaceBudgets('acme', [
        { tenantId: 'acme', resourceType: null, monthlyUsd: 10_000, updatedAt: T0 },
        { tenantId: 'acme', resourceType: 'database', monthlyUsd: 1_000, updatedAt: T0 },
      ]);
      await store.replaceBudgets('globex', [
        { tenantId: 'globex', resourceType: 'email', monthlyUsd: 12.5, updatedAt: T0 + 1 },
      ]);
      await store.replaceBudgets('acme', [
        { tenantId: 'acme', resourceType: null, monthlyUsd: 9_000, updatedAt: T0 },
      ]);
      expect(await store.listBudgets()).toEqual([
        { tenantId: 'acme', resourceType: null, monthlyUsd: 9_000, updatedAt: T0 },
        { tenantId: 'globex', resourceType: 'email', monthlyUsd: 12.5, updatedAt: T0 + 1 },
      ]);
    });

    it('keeps snoozes and mutes, newest first, replaced by id', async () => {
      const store = await fresh();
      const mute = silence();
      const snooze = silence({ kind: 'snooze', alertId: 'a-1', tenantId: 'globex', createdAt: T0 + 1 });
      const expired = silence({ until: T0 + 10, createdAt: T0 - 1 });
      await store.writeSilences([mute, snooze, expired]);
      const ids = async (filter: Parameters<AlertStore['listSilences']>[0]) =>
        (await store.listSilences(filter)).map((s) => s.id);
      expect(await store.listSilences({ limit: 10 })).toEqual([snooze, mute, expired]);
      expect(await ids({ kinds: ['mute'], limit: 10 })).toEqual([mute.id, expired.id]);
      expect(await ids({ tenants: ['globex'], limit: 10 })).toEqual([snooze.id]);
      expect(await ids({ id: mute.id, limit: 10 })).toEqual([mute.id]);
      expect(await ids({ holdingAt: T0 + 10, limit: 10 })).toEqual([snooze.id, mute.id]);
      expect(await ids({ limit: 1 })).toEqual([snooze.id]);
      const cancelled = { ...mute, cancelledBy: 'ops@acme', cancelledAt: T0 + 20 };
      await store.writeSilences([cancelled]);
      expect(await ids({ holdingAt: T0 + 30, limit: 10 })).toEqual([snooze.id]);
      expect(await store.listSilences({ id: mute.id, limit: 10 })).toEqual([cancelled]);
    });
  });
}
