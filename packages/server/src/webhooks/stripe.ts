import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRefusal, checkFreshness, header, parseJson, type WebhookProvider } from './provider.js';
import { parseStripeEvent, stripeCustomerOf, stripeTenantOf } from './stripe-objects.js';

/** `t=…,v1=…[,v1=…][,v0=…]`: the timestamp and every v1 signature (several while a secret rolls). */
function parseSignatureHeader(value: string): { t: number; v1: string[] } {
  let t = NaN;
  const v1: string[] = [];
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    const [k, v] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    if (k === 't' && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1') v1.push(v);
  }
  if (!Number.isInteger(t) || !v1.length)
    throw new WebhookRefusal('bad_signature', 'Stripe-Signature needs t= and at least one v1=');
  return { t, v1 };
}

const matches = (expected: Buffer, candidate: string): boolean => {
  const given = Buffer.from(candidate, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/** Stripe: hex HMAC-SHA256 of `${t}.${rawBody}` with the endpoint secret, any v1 matching (v0 ignored). */
export function stripeProvider(options: {
  secrets: readonly string[];
  toleranceSeconds: number;
}): WebhookProvider {
  return {
    name: 'stripe',
    configured: options.secrets.length > 0,
    refusalStatus: 400,
    async verify({ body, headers, receivedAt }) {
      const value = header(headers, 'stripe-signature');
      if (!value) throw new WebhookRefusal('bad_signature', 'the Stripe-Signature header is required');
      const { t, v1 } = parseSignatureHeader(value);
      const valid = options.secrets.some((secret) => {
        const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex'));
        return v1.some((candidate) => matches(expected, candidate));
      });
      if (!valid) throw new WebhookRefusal('bad_signature', 'no v1 signature matches a configured secret');
      checkFreshness(t * 1000, receivedAt, options.toleranceSeconds);
      const event = parseStripeEvent(parseJson(body, 'the body'));
      if (!event)
        throw new WebhookRefusal('malformed', 'not a Stripe event (id, type, created, data.object)');
      const customer = stripeCustomerOf(event.object);
      return {
        items: [
          {
            id: event.id,
            event: `stripe.${event.type}`,
            occurredAt: event.created * 1000,
            tenant: stripeTenantOf(event.object),
            mapKey: customer ? { kind: 'stripe_customer', key: customer } : null,
            sendingDomain: null,
            properties: {
              stripe_event_id: event.id,
              type: event.type,
              api_version: event.apiVersion,
              object_id: event.object.id,
              customer,
              object: event.object,
            },
            stripe: event,
          },
        ],
      };
    },
  };
}
