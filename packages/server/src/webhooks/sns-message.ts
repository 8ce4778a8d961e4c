import { createVerify, type X509Certificate } from 'node:crypto';
import { WebhookRefusal, isRecord } from './provider.js';

/** An SNS HTTP(S) message, with Lambda's spellings (SigningCertUrl, UnsubscribeUrl) read as the HTTP ones. */
export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

const types = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];

export function parseSnsMessage(value: unknown): SnsMessage {
  if (!isRecord(value))
    throw new WebhookRefusal('malformed', 'the body is not an SNS message (a JSON object)');
  const v = { ...value };
  if (v.SigningCertURL === undefined) v.SigningCertURL = v.SigningCertUrl;
  if (v.Subject === null) delete v.Subject;
  if (typeof v.Type !== 'string' || !types.includes(v.Type))
    throw new WebhookRefusal('malformed', `Type must be one of ${types.join(', ')}`);
  for (const field of ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'Signature', 'SigningCertURL'])
    if (typeof v[field] !== 'string') throw new WebhookRefusal('malformed', `${field} is missing`);
  if (v.SignatureVersion !== '1' && v.SignatureVersion !== '2')
    throw new WebhookRefusal(
      'bad_signature',
      'SignatureVersion must be "1" (SHA1withRSA) or "2" (SHA256withRSA)',
    );
  if (v.Type !== 'Notification' && (typeof v.SubscribeURL !== 'string' || typeof v.Token !== 'string'))
    throw new WebhookRefusal('malformed', `${v.Type} needs SubscribeURL and Token`);
  return v as unknown as SnsMessage;
}

/** The keys SNS signs, in order, per message type (AWS's "Verifying the signatures of Amazon SNS messages"). */
const signedKeys: Record<SnsMessage['Type'], (keyof SnsMessage)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** `key\nvalue\n` for each signed key present, over the parsed (unescaped) values. */
export function stringToSign(m: SnsMessage): string {
  return signedKeys[m.Type]
    .filter((k) => typeof m[k] === 'string')
    .map((k) => `${k}\n${m[k] as string}\n`)
    .join('');
}

export function verifySnsSignature(m: SnsMessage, cert: X509Certificate): boolean {
  const verifier = createVerify(m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  verifier.update(stringToSign(m), 'utf8');
  try {
    return verifier.verify(cert.publicKey, m.Signature, 'base64');
  } catch {
    return false;
  }
}

/** sns.<region>.amazonaws.com (or .com.cn), as every AWS validator requires of SNS URLs. */
export const SNS_HOST = /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?$/i;

/** A signing-certificate URL: https, an SNS host, no port, user or query, and a SimpleNotificationService-*.pem path. */
export function checkCertUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookRefusal('bad_cert_url', `SigningCertURL ${raw} is not a URL`);
  }
  const ok =
    url.protocol === 'https:' &&
    SNS_HOST.test(url.hostname) &&
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    /^\/SimpleNotificationService-[A-Za-z0-9]+\.pem$/.test(url.pathname);
  if (!ok)
    throw new WebhookRefusal(
      'bad_cert_url',
      `SigningCertURL ${raw} is not an SNS certificate (https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem)`,
    );
  return url;
}
