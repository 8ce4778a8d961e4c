import { makeIssue } from '@pulse/events';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { QuarantinedEvent } from '../storage/event-store.js';
import type { SubscriptionStore } from '../storage/subscription-store.js';
import type { EmailWindow, WebhookStore } from '../storage/webhook-store.js';
import { applyBilling } from './billing.js';
import { count, windowFor } from './deliverability.js';
import { derivedUuid } from './derived-uuid.js';
import type { EmailWindows } from './email-windows.js';
import {
  WebhookRefusal,
  refusalStatusOf,
  type ProviderName,
  type WebhookItem,
  type WebhookProvider,
  type WebhookRequest,
} from './provider.js';
import type { Serial } from './serial.js';
import type { StripeEvent } from './stripe-objects.js';
import type { IntegrationStatus } from './status.js';
import type { TenantMap } from './tenant-map.js';

export interface ReceiverDeps {
  providers: Readonly<Partial<Record<ProviderName, WebhookProvider>>>;
  store: WebhookStore;
  pipeline: Pick<IngestPipeline, 'ingest' | 'quarantine'>;
  subscriptions: SubscriptionStore;
  tenants: TenantMap;
  windows: EmailWindows;
  status: IntegrationStatus;
  serial: Serial;
  windowMs: number;
}

export type ReceiveResult =
  | { kind: 'accepted'; accepted: number; duplicates: number; quarantined: number; note?: string }
  | { kind: 'refused'; status: number; reason: string; message: string };

/** The generic event stored for a provider event: its payload, the tenant found, and what it counted as. */
function capturedOf(
  provider: ProviderName,
  item: WebhookItem,
  tenant: string | null,
  receivedAt: number,
): CapturedEvent {
  if (item.captured) return item.captured;
  return {
    uuid: derivedUuid(`${provider}:${item.id}`),
    event: item.event,
    distinctId: tenant ?? provider,
    timestamp: Number.isFinite(item.occurredAt) ? item.occurredAt : receivedAt,
    properties: {
      ...item.properties,
      ...(tenant ? { tenant_id: tenant } : {}),
      provider,
      provider_event_id: item.id,
      ...(item.email ? { email_outcome: item.email.outcome } : {}),
      ...(item.sendingDomain ? { sending_domain: item.sendingDomain } : {}),
    },
  };
}

const unattributed = (event: CapturedEvent, index: number, receivedAt: number): QuarantinedEvent => ({
  id: event.uuid,
  receivedAt,
  batchIndex: index,
  event,
  issues: [
    makeIssue(
      event.event,
      'tenant_id',
      'required',
      'a tenant: from the message (custom args, user variables, tags, metadata) or the integrations tenant map',
      undefined,
    ),
  ],
});

/**
 * One verified-webhook path for every provider: verify (signature, then freshness), drop what was already
 * received (durable receipts), store each new event through the ingest pipeline (quarantined when no tenant
 * is found), apply billing, count deliverability, then record the receipts and counts in one transaction.
 */
export function createReceiver(deps: ReceiverDeps) {
  async function accept(
    name: ProviderName,
    request: WebhookRequest,
    items: WebhookItem[],
    singleUse: string[],
  ) {
    const { store } = deps;
    const tokens = singleUse.map((t) => `token:${t}`);
    if ((await store.seen(name, tokens)).size)
      throw new WebhookRefusal('token_reused', 'this signature token was already used');
    const seen = await store.seen(name, [...new Set(items.map((i) => i.id))]);
    const fresh: WebhookItem[] = [];
    for (const item of items)
      if (!seen.has(item.id)) {
        seen.add(item.id); // a provider may repeat an id within one request too
        fresh.push(item);
      }
    const events: CapturedEvent[] = [];
    const held: QuarantinedEvent[] = [];
    const billing: { event: StripeEvent; tenantId: string }[] = [];
    const windows = new Map<string, EmailWindow>();
    fresh.forEach((item, index) => {
      const tenant = deps.tenants.resolve(item);
      const event = capturedOf(name, item, tenant, request.receivedAt);
      if (!tenant && !item.captured) {
        held.push(unattributed(event, index, request.receivedAt));
        return;
      }
      events.push(event);
      if (!tenant) return;
      if (item.stripe) billing.push({ event: item.stripe, tenantId: tenant });
      if (item.email) {
        const w = windowFor(tenant, name, item.sendingDomain, request.receivedAt, deps.windowMs);
        const key = `${w.tenantId}\u0000${w.sendingDomain}`;
        const open = windows.get(key) ?? w;
        count(open, item.email.outcome, item.email.recipients);
        windows.set(key, open);
      }
    });
    const effects = await applyBilling(billing, { subscriptions: deps.subscriptions, store });
    for (const event of effects.revenueEvents) events.push(event);
    const outcome = await deps.pipeline.ingest(events, request.receivedAt);
    await deps.pipeline.quarantine(held);
    const committed = await store.commit({
      provider: name,
      at: request.receivedAt,
      receipts: [...fresh.map((i) => i.id), ...tokens],
      windows: [...windows.values()],
      failures: effects.failures,
    });
    // Another process committed some of these ids meanwhile: again, counting only what is still new (the
    // events stored above carry uuids derived from the provider ids, so storing them twice keeps one).
    if (!committed) return accept(name, request, items, singleUse);
    await deps.windows.afterCommit([...windows.values()]);
    return {
      accepted: fresh.length,
      duplicates: items.length - fresh.length,
      quarantined: held.length + outcome.quarantined.length,
    };
  }

  return async function receive(name: ProviderName, request: WebhookRequest): Promise<ReceiveResult> {
    const provider = deps.providers[name];
    const refuse = (error: WebhookRefusal, status: number): ReceiveResult => {
      deps.status.refused(name, error.reason, error.message, request.receivedAt);
      return { kind: 'refused', status, reason: error.reason, message: error.message };
    };
    if (!provider?.configured)
      return refuse(new WebhookRefusal('not_configured', `no key is configured for ${name}`), 404);
    try {
      const delivery = await provider.verify(request);
      const done = await deps.serial.run(() =>
        accept(name, request, delivery.items, delivery.singleUse ?? []),
      );
      deps.status.accepted(name, done.accepted, done.duplicates, request.receivedAt);
      return { kind: 'accepted', ...done, ...(delivery.note ? { note: delivery.note } : {}) };
    } catch (error) {
      if (error instanceof WebhookRefusal) return refuse(error, refusalStatusOf(provider, error.reason));
      deps.status.failed(name, String(error), request.receivedAt);
      throw error;
    }
  };
}

export type Receive = ReturnType<typeof createReceiver>;
