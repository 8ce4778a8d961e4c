import { describe, expect, it } from 'vitest';
import type { EventStore } from '../storage/event-store.js';
import type { RetentionCut } from '../storage/retention-store.js';
import { withKnownTenants } from './known-tenants.js';

/** A store holding some tenants' events, counting the questions it is asked; `gate` holds a read open. */
function storeOf(tenants: string[]) {
  const held = new Set(tenants);
  const asked: string[][] = [];
  let gate: Promise<void> | null = null;
  const store: Pick<EventStore, 'tenantsWithEvents' | 'deleteBefore'> = {
    async tenantsWithEvents(names) {
      asked.push([...names]);
      const answer = new Set(names.filter((n) => held.has(n)));
      await gate;
      return answer;
    },
    async deleteBefore(cuts, options) {
      if (!options.dryRun)
        for (const cut of cuts) for (const tenant of cut.tenants.keys()) held.delete(tenant);
      return [];
    },
  };
  const hold = (until: Promise<void> | null) => {
    gate = until;
  };
  return { store, asked, hold };
}

const cut = (tenant: string): RetentionCut => ({
  table: 'revenue_impact_event',
  cutoff: null,
  tenants: new Map([[tenant, Date.now()]]),
});

describe('withKnownTenants', () => {
  it('asks the store once for a tenant with events, every time for one without', async () => {
    const { store, asked } = storeOf(['acme']);
    const known = withKnownTenants(store);
    expect(await known.tenantsWithEvents(['acme', 'nope'])).toEqual(new Set(['acme']));
    expect(await known.tenantsWithEvents(['acme', 'nope'])).toEqual(new Set(['acme']));
    expect(await known.tenantsWithEvents(['acme'])).toEqual(new Set(['acme']));
    expect(asked).toEqual([['acme', 'nope'], ['nope']]);
  });

  it('forgets on a deletion, and does not remember what a read overlapping one found', async () => {
    const { store, asked, hold } = storeOf(['acme', 'globex']);
    const known = withKnownTenants(store);
    await known.tenantsWithEvents(['acme']);
    let open!: () => void;
    hold(new Promise<void>((resolve) => (open = resolve)));
    const overlapping = known.tenantsWithEvents(['globex']);
    await known.deleteBefore([cut('globex')], { dryRun: false });
    open();
    hold(null);
    expect(await overlapping).toEqual(new Set(['globex']));
    expect(await known.tenantsWithEvents(['acme', 'globex'])).toEqual(new Set(['acme']));
    expect(asked).toEqual([['acme'], ['globex'], ['acme', 'globex']]);
  });

  it('keeps what it knows over a dry run', async () => {
    const { store, asked } = storeOf(['acme']);
    const known = withKnownTenants(store);
    await known.tenantsWithEvents(['acme']);
    await known.deleteBefore([cut('acme')], { dryRun: true });
    await known.tenantsWithEvents(['acme']);
    expect(asked).toEqual([['acme']]);
  });
});
