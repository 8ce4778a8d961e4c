import type { Metrics } from '../observability/metrics.js';
import { providerNames, type ProviderName, type RefusalReason } from './provider.js';

export interface ProviderStatus {
  provider: ProviderName;
  configured: boolean;
  lastAcceptedAt: string | null;
  accepted: number;
  duplicates: number;
  refused: Partial<Record<RefusalReason, number>>;
  failed: number;
  lastError: { at: string; message: string } | null;
}

type Mutable = { -readonly [K in keyof ProviderStatus]: ProviderStatus[K] };

/** What each provider's endpoint has done since start; mirrored in /metrics. */
export class IntegrationStatus {
  private readonly byProvider = new Map<ProviderName, Mutable>();

  constructor(
    private readonly metrics: Metrics,
    configured: (provider: ProviderName) => boolean,
  ) {
    for (const provider of providerNames)
      this.byProvider.set(provider, {
        provider,
        configured: configured(provider),
        lastAcceptedAt: null,
        accepted: 0,
        duplicates: 0,
        refused: {},
        failed: 0,
        lastError: null,
      });
  }

  private of(provider: ProviderName): Mutable {
    return this.byProvider.get(provider) as Mutable;
  }

  accepted(provider: ProviderName, events: number, duplicates: number, at: number): void {
    const s = this.of(provider);
    s.accepted += events;
    s.duplicates += duplicates;
    s.lastAcceptedAt = new Date(at).toISOString();
    if (events) this.metrics.webhookAccepted.inc({ provider }, events);
    if (duplicates) this.metrics.webhookDuplicates.inc({ provider }, duplicates);
  }

  refused(provider: ProviderName, reason: RefusalReason, message: string, at: number): void {
    const s = this.of(provider);
    s.refused[reason] = (s.refused[reason] ?? 0) + 1;
    s.lastError = { at: new Date(at).toISOString(), message: `${reason}: ${message}` };
    this.metrics.webhookRefused.inc({ provider, reason });
  }

  failed(provider: ProviderName, message: string, at: number): void {
    const s = this.of(provider);
    s.failed += 1;
    s.lastError = { at: new Date(at).toISOString(), message };
    this.metrics.webhookFailed.inc({ provider });
  }

  list(): ProviderStatus[] {
    return providerNames.map((p) => ({ ...this.of(p), refused: { ...this.of(p).refused } }));
  }
}
