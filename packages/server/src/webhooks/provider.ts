import type { IncomingHttpHeaders } from 'node:http';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { StripeEvent } from './stripe-objects.js';

export const providerNames = ['sendgrid', 'mailgun', 'ses', 'stripe', 'posthog'] as const;
export type ProviderName = (typeof providerNames)[number];

/** Why a request was refused; each is counted per provider. */
export type RefusalReason =
  | 'not_configured'
  | 'bad_signature'
  | 'stale'
  | 'malformed'
  | 'token_reused'
  | 'bad_cert_url'
  | 'untrusted_cert'
  | 'raw_delivery'
  | 'unknown_topic';

/** A request that is not (provably) from the provider: answered with the provider's no-retry 4xx. */
export class WebhookRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRefusal';
  }
}

/** How a delivery event counts in the email windows. */
export type EmailOutcome = 'delivered' | 'hard_bounce' | 'soft_bounce' | 'deferred' | 'complained';

/** One provider event of a verified request. */
export interface WebhookItem {
  /** The provider's own event id: the durable dedup key. */
  id: string;
  /** Name of the generic event stored for it (e.g. `sendgrid.bounce`). */
  event: string;
  /** When the provider says it happened, epoch ms. */
  occurredAt: number;
  /** Tenant carried by the message itself (custom args, user variables, tags, metadata). */
  tenant: string | null;
  /** Where the configured tenant map looks when the message carries none. */
  mapKey: { kind: 'domain' | 'stripe_customer'; key: string } | null;
  sendingDomain: string | null;
  /** Stored with the generic event (the provider's event as sent, plus normalized fields). */
  properties: Record<string, unknown>;
  /** Deliverability: the outcome and how many recipients it covers. */
  email?: { outcome: EmailOutcome; recipients: number };
  /** Billing: the Stripe event behind it. */
  stripe?: StripeEvent;
  /** Stored as this event exactly (PostHog destinations), not as a generic provider event. */
  captured?: CapturedEvent;
}

export interface WebhookRequest {
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** Server time of arrival, epoch ms (the injectable clock). */
  receivedAt: number;
}

/** What a provider module made of a request, once verified. */
export interface VerifiedDelivery {
  items: WebhookItem[];
  /** Single-use values of this request (Mailgun tokens): a second request with one is refused. */
  singleUse?: string[];
  /** Answer to send instead of the default (e.g. a confirmed SNS subscription). */
  note?: string;
}

export interface WebhookProvider {
  name: ProviderName;
  /** Whether its key is configured; an unconfigured provider refuses every request. */
  configured: boolean;
  /** The status the provider reads as "refused, do not retry" (Mailgun: 406). */
  refusalStatus: number;
  /** Verifies the request (signature, then freshness) and parses it; throws WebhookRefusal. */
  verify(request: WebhookRequest): Promise<VerifiedDelivery>;
}

/**
 * The status of a refusal: a body that is not the provider's format is a plain 400, except for providers
 * that only stop retrying on their own status (Mailgun: 406), which get it for every refusal.
 */
export const refusalStatusOf = (provider: WebhookProvider, reason: RefusalReason): number =>
  reason === 'malformed' && provider.refusalStatus !== 406 ? 400 : provider.refusalStatus;

/** Freshness: |now − signedAt| within `toleranceSeconds` (0 = no age check), both directions. */
export function checkFreshness(signedAtMs: number, now: number, toleranceSeconds: number): void {
  if (toleranceSeconds === 0) return;
  const skew = Math.abs(now - signedAtMs) / 1000;
  if (!Number.isFinite(skew) || skew > toleranceSeconds)
    throw new WebhookRefusal(
      'stale',
      `signed at ${Number.isFinite(signedAtMs) ? new Date(signedAtMs).toISOString() : 'an unreadable time'}, ${Math.round(skew)} s from now; the tolerance is ${toleranceSeconds} s`,
    );
}

export const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** JSON of a verified body; a body that is not JSON is malformed. */
export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new WebhookRefusal('malformed', `${what} is not JSON: ${(error as Error).message}`);
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The domain part of an address such as `Name <user@example.com>`, lower-cased. */
export function domainOf(address: unknown): string | null {
  if (typeof address !== 'string') return null;
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** Keys as a list: several may be valid at once while one is rotated. */
export const keyList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
