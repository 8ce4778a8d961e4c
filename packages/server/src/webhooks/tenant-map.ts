import type { StateChange, StateOwner } from '../cluster/ports.js';
import type { TenantMapEntry, WebhookStore } from '../storage/webhook-store.js';
import type { WebhookItem } from './provider.js';

/** The configured map as pulse.config.json spells it. */
export interface TenantMapConfig {
  domains: Record<string, string>;
  stripeCustomers: Record<string, string>;
}

export const entriesOf = (map: TenantMapConfig): TenantMapEntry[] => [
  ...Object.entries(map.domains).map(([key, tenantId]) => ({
    kind: 'domain' as const,
    key: key.toLowerCase(),
    tenantId,
  })),
  ...Object.entries(map.stripeCustomers).map(([key, tenantId]) => ({
    kind: 'stripe_customer' as const,
    key,
    tenantId,
  })),
];

export const configOf = (entries: readonly TenantMapEntry[]): TenantMapConfig => ({
  domains: Object.fromEntries(entries.filter((e) => e.kind === 'domain').map((e) => [e.key, e.tenantId])),
  stripeCustomers: Object.fromEntries(
    entries.filter((e) => e.kind === 'stripe_customer').map((e) => [e.key, e.tenantId]),
  ),
});

/**
 * Which tenant a provider event belongs to: the tenant the message carries, else the sending domain's or
 * Stripe customer's entry in the map (entries set through the API win over the configuration file's).
 */
export class TenantMap {
  private stored: TenantMapEntry[] = [];
  private readonly changeListeners = new Set<(change: StateChange) => void>();

  /** The entries set through the API, as a copy of shared state other processes reload when it changes. */
  readonly shared: StateOwner = {
    kinds: ['tenant-map'],
    onChange: (listener) => {
      this.changeListeners.add(listener);
      return () => this.changeListeners.delete(listener);
    },
    apply: () => this.shared.reloadAll(),
    reloadAll: async () => {
      this.stored = await this.store.tenantMap();
    },
  };

  private constructor(
    private readonly store: WebhookStore,
    private readonly configured: readonly TenantMapEntry[],
  ) {}

  static async open(store: WebhookStore, configured: TenantMapConfig): Promise<TenantMap> {
    const map = new TenantMap(store, entriesOf(configured));
    map.stored = await store.tenantMap();
    return map;
  }

  resolve(item: WebhookItem): string | null {
    if (item.tenant) return item.tenant;
    const key = item.mapKey;
    if (!key) return null;
    const find = (entries: readonly TenantMapEntry[]) =>
      entries.find((e) => e.kind === key.kind && e.key === key.key)?.tenantId;
    return find(this.stored) ?? find(this.configured) ?? null;
  }

  view(): { configured: TenantMapConfig; stored: TenantMapConfig } {
    return { configured: configOf(this.configured), stored: configOf(this.stored) };
  }

  async replace(map: TenantMapConfig): Promise<void> {
    const entries = entriesOf(map);
    await this.store.replaceTenantMap(entries);
    this.stored = entries;
    for (const listener of this.changeListeners) listener({ kind: 'tenant-map', id: '' });
  }
}
