import { afterEach, describe, expect, it } from 'vitest';
import type { EmailWindow, WebhookCommit, WebhookStore } from './webhook-store.js';

/** Two handles on one store's data (two processes' pools; one engine that is one process may give the same). */
export interface SharedWebhookStores {
  stores: [WebhookStore, WebhookStore];
  close(): Promise<void>;
}

/** Behaviour every WebhookStore adapter must show; each adapter's test calls this. */
export function runWebhookStoreContract(name: string, open: () => Promise<SharedWebhookStores>): void {
  describe(`WebhookStore contract: ${name}`, () => {
    let opened: SharedWebhookStores | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });
    const stores = async () => (opened = await open()).stores;

    const HOUR = 3_600_000;
    const t0 = Date.UTC(2026, 10, 3, 9);
    const window = (over: Partial<EmailWindow> = {}): EmailWindow => ({
      tenantId: 'acme',
      provider: 'sendgrid',
      sendingDomain: 'mail.acme.test',
      start: t0,
      delivered: 10,
      hardBounced: 1,
      softBounced: 2,
      deferred: 3,
      complained: 0,
      reportedRisk: 0,
      ...over,
    });
    const commit = (over: Partial<WebhookCommit> = {}): WebhookCommit => ({
      provider: 'sendgrid',
      at: t0 + 1000,
      receipts: [],
      windows: [],
      ...over,
    });

    it('remembers receipts per provider and answers only for the ids asked', async () => {
      const [s] = await stores();
      expect(await s.seen('sendgrid', [])).toEqual(new Set());
      expect(await s.commit(commit({ receipts: ['ev-1', "it's-2", 'token:abc'] }))).toBe(true);
      expect(await s.seen('sendgrid', ['ev-1', "it's-2", 'ev-3'])).toEqual(new Set(['ev-1', "it's-2"]));
      expect(await s.seen('mailgun', ['ev-1'])).toEqual(new Set());
      expect(await s.seen('sendgrid', ['token:abc'])).toEqual(new Set(['token:abc']));
    });

    it('adds window counts per slot, lists them by start and settles (resets or removes) one', async () => {
      const [s] = await stores();
      await s.commit(commit({ receipts: ['a'], windows: [window(), window({ start: t0 + HOUR })] }));
      await s.commit(commit({ receipts: ['b'], windows: [window({ delivered: 5, complained: 1 })] }));
      const first = window({ delivered: 15, complained: 1, hardBounced: 2, softBounced: 4, deferred: 6 });
      const second = window({ start: t0 + HOUR });
      expect(await s.windows()).toEqual([first, second]);
      expect(await s.windows(t0 + HOUR)).toEqual([first]);
      expect(await s.windows(t0)).toEqual([]);

      const reset = { ...first, delivered: 0, hardBounced: 0, softBounced: 0, deferred: 0, complained: 0 };
      await s.settleWindow({ ...reset, reportedRisk: 2 }, false);
      expect((await s.windows(t0 + HOUR))[0]).toEqual({ ...reset, reportedRisk: 2 });
      // Later counts add to the reset row and keep the risk already reported.
      await s.commit(commit({ receipts: ['c'], windows: [window({ reportedRisk: 0 })] }));
      expect((await s.windows(t0 + HOUR))[0]).toEqual(window({ reportedRisk: 2 }));
      await s.settleWindow(second, true);
      expect(await s.windows()).toEqual([window({ reportedRisk: 2 })]);
    });

    it('opens payment failures and resolves them by invoice', async () => {
      const [s] = await stores();
      const failure = { invoiceId: 'in_1', tenantId: 'acme', amount: 49.5, failedAt: t0 };
      await s.commit(commit({ provider: 'stripe', receipts: ['evt_1'], failures: { open: [failure] } }));
      expect(await s.openFailure('in_1')).toEqual(failure);
      expect(await s.openFailure('in_2')).toBeNull();
      await s.commit(commit({ provider: 'stripe', receipts: ['evt_2'], failures: { resolve: ['in_1'] } }));
      expect(await s.openFailure('in_1')).toBeNull();
    });

    it('replaces the tenant map whole, listed by kind then key', async () => {
      const [s] = await stores();
      expect(await s.tenantMap()).toEqual([]);
      await s.replaceTenantMap([
        { kind: 'stripe_customer', key: 'cus_1', tenantId: 'acme' },
        { kind: 'domain', key: 'b.test', tenantId: 'beta' },
        { kind: 'domain', key: 'a.test', tenantId: 'acme' },
      ]);
      await s.replaceTenantMap([
        { kind: 'stripe_customer', key: 'cus_2', tenantId: 'beta' },
        { kind: 'domain', key: 'a.test', tenantId: 'acme' },
      ]);
      expect(await s.tenantMap()).toEqual([
        { kind: 'domain', key: 'a.test', tenantId: 'acme' },
        { kind: 'stripe_customer', key: 'cus_2', tenantId: 'beta' },
      ]);
    });

    it('applies nothing of a commit one of whose receipts is already recorded', async () => {
      const [s] = await stores();
      const failure = { invoiceId: 'in_9', tenantId: 'acme', amount: 10, failedAt: t0 };
      expect(await s.commit(commit({ receipts: ['ev-1'], windows: [window()] }))).toBe(true);
      const again = commit({
        receipts: ['ev-2', 'ev-1'],
        windows: [window()],
        failures: { open: [failure] },
      });
      expect(await s.commit(again)).toBe(false);
      expect(await s.seen('sendgrid', ['ev-2'])).toEqual(new Set());
      expect(await s.windows()).toEqual([window()]);
      expect(await s.openFailure('in_9')).toBeNull();
    });

    it('counts a receipt committed by two writers at once exactly once, and loses no concurrent count', async () => {
      const [a, b] = await stores();
      const rounds = 20;
      const outcomes = await Promise.all(
        Array.from({ length: rounds }, (_, i) => [
          a.commit(commit({ receipts: [`same-${i}`, `a-${i}`], windows: [window({ delivered: 1 })] })),
          b.commit(commit({ receipts: [`same-${i}`, `b-${i}`], windows: [window({ delivered: 1 })] })),
          b.commit(commit({ receipts: [`other-${i}`], windows: [window({ delivered: 100 })] })),
        ]).flat(),
      );
      for (let i = 0; i < rounds; i++) {
        const [first, second, other] = outcomes.slice(i * 3, i * 3 + 3);
        expect([first, second].filter(Boolean)).toHaveLength(1);
        expect(other).toBe(true);
      }
      const [counted] = await a.windows();
      expect(counted?.delivered).toBe(rounds * 1 + rounds * 100);
    });
  });
}
