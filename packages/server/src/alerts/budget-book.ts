import type { AlertStore, Budget } from '../storage/alert-store.js';
import { mergeBudgets, parseBudgetInput } from './budgets.js';
import type { Budgets } from './evaluate/index.js';

interface TenantBudgets {
  monthly: number | null;
  byGroup: Map<string, number>;
}

/**
 * The tenants' budgets: stored, and mirrored in memory for the run-rate evaluators (`lookup`), which read
 * them on every cost event. Every change goes to the store first, then to the mirror.
 */
export function createBudgetBook(deps: {
  store: Pick<AlertStore, 'listBudgets' | 'replaceBudgets'>;
  clock: () => number;
}) {
  const { store, clock } = deps;
  const byTenant = new Map<string, TenantBudgets>();

  function mirror(list: readonly Budget[]): void {
    byTenant.clear();
    for (const b of list) {
      const entry = byTenant.get(b.tenantId) ?? { monthly: null, byGroup: new Map<string, number>() };
      if (b.resourceType === null) entry.monthly = b.monthlyUsd;
      else entry.byGroup.set(b.resourceType, b.monthlyUsd);
      byTenant.set(b.tenantId, entry);
    }
  }

  const lookup: Budgets = { of: (tenantId) => byTenant.get(tenantId) };

  return {
    lookup,

    /** Fills the mirror from the store (at start). */
    load: async (): Promise<void> => {
      mirror(await store.listBudgets());
    },

    list: () => store.listBudgets(),

    /** Merges `input` over a tenant's budgets; returns the tenant's budgets after. */
    set: async (tenantId: string, input: unknown): Promise<Budget[]> => {
      const parsed = parseBudgetInput(input);
      const all = await store.listBudgets();
      const next = mergeBudgets(
        tenantId,
        all.filter((b) => b.tenantId === tenantId),
        parsed,
        clock(),
      );
      await store.replaceBudgets(tenantId, next);
      mirror([...all.filter((b) => b.tenantId !== tenantId), ...next]);
      return next;
    },

    /** Removes a tenant's budgets; false when it had none. */
    remove: async (tenantId: string): Promise<boolean> => {
      const all = await store.listBudgets();
      if (!all.some((b) => b.tenantId === tenantId)) return false;
      await store.replaceBudgets(tenantId, []);
      mirror(all.filter((b) => b.tenantId !== tenantId));
      return true;
    },
  };
}

export type BudgetBook = ReturnType<typeof createBudgetBook>;
