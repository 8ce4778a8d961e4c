import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  WebhookRefusal,
  checkFreshness,
  domainOf,
  isRecord,
  parseJson,
  type EmailOutcome,
  type WebhookProvider,
} from './provider.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isRecord(v) ? v : {});

/**
 * Permanent failures of addresses Mailgun already suppressed (605 "previously bounced", unsubscribed,
 * complained) were never attempted: they are not new bounces and do not count toward the bounce rate.
 */
const suppressed = (reason: unknown) => typeof reason === 'string' && reason.startsWith('suppress-');

function outcomeOf(e: Obj): EmailOutcome | undefined {
  switch (e.event) {
    case 'delivered':
      return 'delivered';
    case 'failed':
      if (e.severity === 'temporary') return 'soft_bounce';
      return suppressed(e.reason) ? undefined : 'hard_bounce';
    case 'complained':
      return 'complained';
    default:
      return undefined;
  }
}

/**
 * Mailgun: hex HMAC-SHA256 of timestamp + token with the webhook signing key. The signature does not cover
 * the body, so a token is single-use (a second request with it is refused) and the window should stay short.
 */
export function mailgunProvider(options: {
  keys: readonly string[];
  toleranceSeconds: number;
}): WebhookProvider {
  return {
    name: 'mailgun',
    configured: options.keys.length > 0,
    // Mailgun stops retrying on 406 only.
    refusalStatus: 406,
    async verify({ body, receivedAt }) {
      const payload = parseJson(body, 'the body');
      const signature = obj(obj(payload).signature);
      const { timestamp, token, signature: hex } = signature;
      if (typeof timestamp !== 'string' || typeof token !== 'string' || typeof hex !== 'string')
        throw new WebhookRefusal(
          'bad_signature',
          'signature.timestamp, signature.token and signature.signature are required (JSON webhooks; the legacy form-encoded shape is not accepted)',
        );
      const given = Buffer.from(hex, 'utf8');
      const valid = options.keys.some((key) => {
        const expected = Buffer.from(
          createHmac('sha256', key)
            .update(timestamp + token)
            .digest('hex'),
        );
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
      if (!valid)
        throw new WebhookRefusal('bad_signature', 'the signature does not match any configured key');
      checkFreshness(Number(timestamp) * 1000, receivedAt, options.toleranceSeconds);
      const e = obj(obj(payload)['event-data']);
      if (typeof e.id !== 'string' || typeof e.event !== 'string' || typeof e.timestamp !== 'number')
        throw new WebhookRefusal('malformed', 'event-data needs id, event and timestamp');
      const variables = obj(e['user-variables']);
      const sendingDomain =
        domainOf(obj(e.envelope).sender) ?? domainOf(obj(obj(e.message).headers).from) ?? null;
      const outcome = outcomeOf(e);
      return {
        singleUse: [token],
        items: [
          {
            // Mailgun ids are unique within a day; with the event's own time they are unique for good.
            id: `${e.id}:${e.timestamp}`,
            event: `mailgun.${e.event}`,
            occurredAt: e.timestamp * 1000,
            tenant:
              typeof variables.tenant_id === 'string' && variables.tenant_id ? variables.tenant_id : null,
            mapKey: sendingDomain ? { kind: 'domain', key: sendingDomain } : null,
            sendingDomain,
            properties: { ...e },
            ...(outcome ? { email: { outcome, recipients: 1 } } : {}),
          },
        ],
      };
    },
  };
}
