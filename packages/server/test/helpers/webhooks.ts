import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../fixtures/webhooks/', import.meta.url));

/** A provider sample's exact bytes. */
export const fixture = (path: string): Buffer => readFileSync(`${fixtures}${path}`);
export const fixtureJson = <T = Record<string, unknown>>(path: string): T =>
  JSON.parse(fixture(path).toString('utf8')) as T;
export const fixturePath = (path: string): string => `${fixtures}${path}`;

export async function postWebhook(
  url: string,
  provider: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/webhooks/${provider}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    },
    body: new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A SendGrid-style key pair: the public half as SendGrid's console shows it. */
export function sendgridKeyPair(): { privateKey: KeyObject; publicBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

export function sendgridHeaders(
  privateKey: KeyObject,
  body: Buffer,
  timestamp: number,
): Record<string, string> {
  const signature = sign('sha256', Buffer.concat([Buffer.from(String(timestamp)), body]), {
    key: privateKey,
    dsaEncoding: 'der',
  });
  return {
    'x-twilio-email-event-webhook-signature': signature.toString('base64'),
    'x-twilio-email-event-webhook-timestamp': String(timestamp),
  };
}

/** Stripe-Signature as Stripe sends it (and stripe-node's generateTestHeaderString makes it). */
export function stripeHeaders(secret: string, body: Buffer, timestamp: number): Record<string, string> {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { 'stripe-signature': `t=${timestamp},v1=${v1}` };
}

/** A Mailgun webhook body around `eventData`, signed with `key` (the signature covers timestamp + token only). */
export function mailgunBody(key: string, eventData: unknown, timestamp: number, token: string): Buffer {
  const signature = createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
  return Buffer.from(
    JSON.stringify({
      signature: { timestamp: String(timestamp), token, signature },
      'event-data': eventData,
    }),
  );
}

/** A copy of `bytes` with the byte at `index` changed. */
export function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = ((copy[index] as number) + 1) % 256;
  return copy;
}

export interface IntegrationRow {
  provider: string;
  configured: boolean;
  accepted: number;
  duplicates: number;
  refused: Record<string, number>;
  failed: number;
  lastAcceptedAt: string | null;
  lastError: { message: string } | null;
}
