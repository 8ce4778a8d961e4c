import type { OutboundResponse } from '../../net/safe-fetch.js';
import type { ChannelKind, Delivery } from '../types.js';

/** A send that failed. Permanent failures (a 400, a blocked address) are dead-lettered without retries. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** One notification channel of the registry (channels/index.ts). */
export interface Channel {
  readonly kind: ChannelKind;
  /** Problems with this channel's configuration; empty when it is fine or simply not configured. */
  validateConfig(): string[];
  /** Where it sends: the email recipients, [''] for a configured URL, [] when not configured. */
  targets(): readonly string[];
  send(delivery: Pick<Delivery, 'id' | 'target' | 'payload'>): Promise<void>;
  close?(): Promise<void>;
}

const transient = new Set([408, 409, 425, 429]);

/** 2xx passes; other 4xx are permanent (retrying the same request cannot help); the rest transient. */
export function checkHttpAnswer(response: OutboundResponse, what: string): void {
  if (response.status >= 200 && response.status < 300) return;
  const permanent = response.status >= 400 && response.status < 500 && !transient.has(response.status);
  throw new DeliveryError(
    `${what} answered ${response.status}${response.body ? `: ${response.body.slice(0, 200)}` : ''}`,
    permanent,
  );
}
