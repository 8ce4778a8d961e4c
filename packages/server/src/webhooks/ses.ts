import { isIP } from 'node:net';
import { UnavailableError } from '../errors.js';
import type { SafeFetch } from '../net/safe-fetch.js';
import { isPrivateAddress } from '../net/private-address.js';
import {
  WebhookRefusal,
  checkFreshness,
  domainOf,
  header,
  isRecord,
  parseJson,
  type EmailOutcome,
  type VerifiedDelivery,
  type WebhookItem,
  type WebhookProvider,
} from './provider.js';
import type { SnsCertificates } from './sns-certs.js';
import {
  SNS_HOST,
  checkCertUrl,
  parseSnsMessage,
  verifySnsSignature,
  type SnsMessage,
} from './sns-message.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isRecord(v) ? v : {});
const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/** How an SES event counts, per recipient (one event may list several). */
function outcomeOf(e: Obj): { outcome: EmailOutcome; recipients: number } | undefined {
  const type = e.eventType ?? e.notificationType;
  const bounce = obj(e.bounce);
  const complaint = obj(e.complaint);
  switch (type) {
    case 'Delivery':
      return { outcome: 'delivered', recipients: length(obj(e.delivery).recipients) || 1 };
    case 'Bounce':
      // Suppression-list bounces were never sent: SES excludes them from the bounce rate too.
      if (bounce.bounceSubType === 'OnAccountSuppressionList') return undefined;
      return {
        outcome: bounce.bounceType === 'Permanent' ? 'hard_bounce' : 'soft_bounce',
        recipients: length(bounce.bouncedRecipients) || 1,
      };
    case 'Complaint':
      if (complaint.complaintFeedbackType === 'not-spam') return undefined;
      return { outcome: 'complained', recipients: length(complaint.complainedRecipients) || 1 };
    case 'DeliveryDelay':
      return { outcome: 'deferred', recipients: length(obj(e.deliveryDelay).delayedRecipients) || 1 };
    default:
      return undefined;
  }
}

function itemOf(m: SnsMessage): WebhookItem {
  const base = { id: m.MessageId, occurredAt: Date.parse(m.Timestamp) };
  let e: Obj | null = null;
  try {
    const parsed: unknown = JSON.parse(m.Message);
    if (isRecord(parsed) && (parsed.eventType ?? parsed.notificationType)) e = parsed;
  } catch {
    // Not an SES event: kept as a plain SNS notification.
  }
  if (!e)
    return {
      ...base,
      event: 'sns.notification',
      tenant: null,
      mapKey: null,
      sendingDomain: null,
      properties: { topic_arn: m.TopicArn, subject: m.Subject ?? null, message: m.Message },
    };
  const mail = obj(e.mail);
  const tags = obj(mail.tags);
  const first = (v: unknown) => (Array.isArray(v) && typeof v[0] === 'string' && v[0] ? v[0] : null);
  const sendingDomain = (first(tags['ses:from-domain']) ?? domainOf(mail.source))?.toLowerCase() ?? null;
  const type = String(e.eventType ?? e.notificationType);
  const counted = outcomeOf(e);
  return {
    ...base,
    event: `ses.${type.toLowerCase().replace(/\s+/g, '_')}`,
    tenant: first(tags.tenant_id),
    mapKey: sendingDomain ? { kind: 'domain', key: sendingDomain } : null,
    sendingDomain,
    properties: { topic_arn: m.TopicArn, ...e },
    ...(counted ? { email: counted } : {}),
  };
}

export interface SesOptions {
  certificates: SnsCertificates;
  fetch: SafeFetch;
  /** Allowed TopicArns; empty leaves the endpoint disabled. */
  topics: readonly string[];
  toleranceSeconds: number;
  /** Subscribe URLs on private addresses are followed (an on-premise SNS such as LocalStack). */
  allowPrivate: boolean;
}

/**
 * Amazon SES event publishing through an SNS HTTP(S) subscription. The signature covers a canonical string
 * of parsed fields, checked with the certificate at SigningCertURL (host validated, cached). A verified
 * SubscriptionConfirmation of an allowed topic is confirmed by fetching its SubscribeURL.
 */
export function sesProvider(options: SesOptions): WebhookProvider {
  async function confirm(m: SnsMessage): Promise<VerifiedDelivery> {
    const url = new URL(m.SubscribeURL as string);
    const onSns = url.protocol === 'https:' && SNS_HOST.test(url.hostname);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const onPremise =
      options.allowPrivate && (host === 'localhost' || (isIP(host) > 0 && isPrivateAddress(host)));
    if (!onSns && !onPremise)
      throw new WebhookRefusal('bad_cert_url', `SubscribeURL ${url.href} is not on an SNS host`);
    let status: number;
    try {
      status = (await options.fetch({ url: url.href })).status;
    } catch (error) {
      throw new UnavailableError(`confirming the subscription failed: ${String(error)}`, 30);
    }
    if (status !== 200) throw new UnavailableError(`confirming the subscription: SNS answered ${status}`, 30);
    return { items: [], note: `subscription to ${m.TopicArn} confirmed` };
  }

  return {
    name: 'ses',
    // Any AWS account can sign messages of its own topics: without an allowlist the endpoint stays closed.
    configured: options.topics.length > 0,
    refusalStatus: 403,
    async verify({ body, headers, receivedAt }) {
      if (header(headers, 'x-amz-sns-rawdelivery') === 'true')
        throw new WebhookRefusal('raw_delivery', 'raw message delivery carries no signature: turn it off');
      const m = parseSnsMessage(parseJson(body, 'the body'));
      const cert = await options.certificates.get(checkCertUrl(m.SigningCertURL));
      if (!verifySnsSignature(m, cert))
        throw new WebhookRefusal('bad_signature', `the signature does not verify with ${m.SigningCertURL}`);
      if (!options.topics.includes(m.TopicArn))
        throw new WebhookRefusal('unknown_topic', `${m.TopicArn} is not in PULSE_SNS_TOPIC_ARNS`);
      checkFreshness(Date.parse(m.Timestamp), receivedAt, options.toleranceSeconds);
      if (m.Type === 'SubscriptionConfirmation') return confirm(m);
      if (m.Type === 'UnsubscribeConfirmation') return { items: [], note: `unsubscribed from ${m.TopicArn}` };
      return { items: [itemOf(m)] };
    },
  };
}
