import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  WebhookRefusal,
  checkFreshness,
  header,
  isRecord,
  parseJson,
  type EmailOutcome,
  type WebhookItem,
  type WebhookProvider,
} from './provider.js';

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';

/** A SendGrid verification key: base64 DER SubjectPublicKeyInfo of a P-256 key, as its console shows it. */
export function sendgridKey(base64: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new Error('is not an EC public key');
  return key;
}

function outcomeOf(e: Record<string, unknown>): EmailOutcome | undefined {
  switch (e.event) {
    case 'delivered':
      return 'delivered';
    // type "blocked" is a temporary rejection; "bounce" (or none, in older payloads) a permanent one.
    case 'bounce':
      return e.type === 'blocked' ? 'soft_bounce' : 'hard_bounce';
    case 'deferred':
      return 'deferred';
    case 'spamreport':
      return 'complained';
    default:
      return undefined;
  }
}

function itemOf(e: unknown, index: number): WebhookItem {
  if (!isRecord(e) || typeof e.sg_event_id !== 'string' || typeof e.event !== 'string')
    throw new WebhookRefusal('malformed', `event ${index} has no sg_event_id or event`);
  const outcome = outcomeOf(e);
  // Custom args arrive as top-level keys; SendGrid events do not name the sender, so a domain comes from one too.
  const sendingDomain = typeof e.sending_domain === 'string' ? e.sending_domain.toLowerCase() : null;
  return {
    id: e.sg_event_id,
    event: `sendgrid.${e.event}`,
    occurredAt: typeof e.timestamp === 'number' ? e.timestamp * 1000 : NaN,
    tenant: typeof e.tenant_id === 'string' && e.tenant_id ? e.tenant_id : null,
    mapKey: sendingDomain ? { kind: 'domain', key: sendingDomain } : null,
    sendingDomain,
    properties: { ...e },
    ...(outcome ? { email: { outcome, recipients: 1 } } : {}),
  };
}

/** SendGrid's signed Event Webhook: ECDSA P-256 over the timestamp header followed by the raw body. */
export function sendgridProvider(options: {
  keys: readonly KeyObject[];
  toleranceSeconds: number;
}): WebhookProvider {
  return {
    name: 'sendgrid',
    configured: options.keys.length > 0,
    refusalStatus: 403,
    async verify({ body, headers, receivedAt }) {
      const signature = header(headers, SIGNATURE);
      const timestamp = header(headers, TIMESTAMP);
      if (!signature || !timestamp)
        throw new WebhookRefusal('bad_signature', `the ${SIGNATURE} and ${TIMESTAMP} headers are required`);
      const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
      const der = Buffer.from(signature, 'base64');
      const valid = options.keys.some((key) => {
        try {
          return verify('sha256', signed, { key, dsaEncoding: 'der' }, der);
        } catch {
          return false; // a signature that is not DER at all
        }
      });
      if (!valid)
        throw new WebhookRefusal('bad_signature', 'the signature does not match any configured key');
      checkFreshness(Number(timestamp) * 1000, receivedAt, options.toleranceSeconds);
      const events = parseJson(body, 'the body');
      if (!Array.isArray(events))
        throw new WebhookRefusal('malformed', 'the body is not a JSON array of events');
      return { items: events.map(itemOf) };
    },
  };
}
