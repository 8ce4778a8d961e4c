import { BadValue, int, key, list, optStr } from './keys.js';
import { createPublicKey } from 'node:crypto';
import { parseTenantMap } from '../webhooks/tenant-map-input.js';
import type { TenantMapConfig } from '../webhooks/tenant-map.js';

/** SendGrid keys: base64 DER SubjectPublicKeyInfo of an EC key each; a bad one is named at start. */
const sendgridKeys = (raw: unknown): string[] => {
  const keys = list(raw);
  keys.forEach((k, i) => {
    try {
      if (
        createPublicKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType !==
        'ec'
      )
        throw new Error('not an EC key');
    } catch {
      throw new BadValue(
        `key ${i + 1} is not a base64 EC public key (MFkw…, as SendGrid's console shows it)`,
      );
    }
  });
  return keys;
};
/** PULSE_WEBHOOK_TENANT_MAP: JSON in env, an object in the file; tenants are non-empty strings. */
const tenantMap = (raw: unknown): TenantMapConfig => {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new BadValue('must be JSON: {"domains": {…}, "stripeCustomers": {…}}');
    }
  }
  return parseTenantMap(value, (problem) => new BadValue(problem));
};

/** Provider webhooks: signing keys, freshness, tenant attribution and email windows. */
export const webhookKeys = {
  sendgridPublicKey: key<string[]>({
    env: 'PULSE_SENDGRID_PUBLIC_KEY',
    file: 'sendgridPublicKey',
    default: [],
    parse: sendgridKeys,
    description:
      'SendGrid Event Webhook verification key(s) (base64, as the console shows it; comma-separated while rotating). Enables POST /webhooks/sendgrid',
  }),
  mailgunSigningKey: key<string[]>({
    env: 'PULSE_MAILGUN_SIGNING_KEY',
    file: 'mailgunSigningKey',
    default: [],
    parse: list,
    description:
      'Mailgun HTTP webhook signing key(s) (comma-separated while rotating). Enables POST /webhooks/mailgun',
  }),
  stripeWebhookSecret: key<string[]>({
    env: 'PULSE_STRIPE_WEBHOOK_SECRET',
    file: 'stripeWebhookSecret',
    default: [],
    parse: list,
    description:
      'Stripe endpoint signing secret(s) whsec_… (comma-separated while rolling). Enables POST /webhooks/stripe',
  }),
  snsCertDir: key({
    env: 'PULSE_SNS_CERT_DIR',
    file: 'snsCertDir',
    default: undefined,
    parse: optStr,
    description:
      'Directory of SNS signing certificates (SimpleNotificationService-<id>.pem), trusted without download; others are fetched from sns.<region>.amazonaws.com and cached in the data dir',
  }),
  snsTopicArns: key<string[]>({
    env: 'PULSE_SNS_TOPIC_ARNS',
    file: 'snsTopicArns',
    default: [],
    parse: list,
    description:
      'SNS topics (comma-separated ARNs) whose SES events POST /webhooks/ses accepts; any AWS account can sign for its own topics, so this list enables the endpoint',
  }),
  posthogWebhookSecret: key<string[]>({
    env: 'PULSE_POSTHOG_WEBHOOK_SECRET',
    file: 'posthogWebhookSecret',
    default: [],
    parse: list,
    description:
      'Shared secret(s) a PostHog webhook destination sends in X-Pulse-Webhook-Secret (comma-separated while rotating). Enables POST /webhooks/posthog',
  }),
  webhookToleranceSeconds: key({
    env: 'PULSE_WEBHOOK_TOLERANCE_SECONDS',
    file: 'webhookToleranceSeconds',
    default: 300,
    parse: int(0, 86_400 * 7),
    description:
      'Freshness window of signed webhooks in seconds, both directions; 0 = no age check. Per provider: PULSE_<PROVIDER>_TOLERANCE_SECONDS (SES defaults to 3900: SNS retries a message unchanged for up to an hour)',
  }),
  webhookTenantMap: key<TenantMapConfig>({
    env: 'PULSE_WEBHOOK_TENANT_MAP',
    file: 'webhookTenantMap',
    default: { domains: {}, stripeCustomers: {} },
    parse: tenantMap,
    description:
      'Tenants of provider events that carry none: {"domains": {"<sending domain>": "<tenant>"}, "stripeCustomers": {"cus_…": "<tenant>"}} (JSON); PUT /api/integrations/tenant-map adds to it',
  }),
  deliverabilityWindowMinutes: key({
    env: 'PULSE_DELIVERABILITY_WINDOW_MINUTES',
    file: 'deliverabilityWindowMinutes',
    default: 15,
    parse: int(1, 1440),
    description:
      'Length of the per-tenant, per-provider email windows reported as email_deliverability_event',
  }),
};
