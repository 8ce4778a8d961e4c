import { backoffDelay } from '../net/safe-fetch.js';
import { DELIVERY_LEASE_MS, type AlertStore, type DeliveryUpdate } from '../storage/alert-store.js';
import { DeliveryError, type ChannelRegistry } from './channels/index.js';
import type { Delivery } from './types.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DispatcherOptions {
  store: AlertStore;
  channels: ChannelRegistry;
  policy: RetryPolicy;
  clock: () => number;
  onError: (error: unknown, delivery: Delivery) => void;
  /** A claim of due rows failed (the next one tries again). */
  onClaimError: (error: unknown) => void;
  /**
   * Why a row due now must not go out (its alert was muted or snoozed since it was queued), or null. Such
   * a row is set aside as dead with that reason: an operator may still send it with retry.
   */
  withheld?: (delivery: Delivery) => string | null;
  /** After a row is sent or given up on, and its status stored. */
  onSettled?: (delivery: Delivery, update: DeliveryUpdate) => void;
  random?: () => number;
}

/** How often a running dispatcher claims due rows no sender holds (their sender died, or they were retried). */
const CLAIM_EVERY_MS = DELIVERY_LEASE_MS / 4;
const CLAIM_BATCH = 500;

/**
 * Sends outbox rows: at once when handed fresh from a commit (no polling on the path to a notification),
 * again with exponential back-off and jitter after a failure, until sent or dead-lettered (a permanent
 * failure, or maxAttempts). `resume` claims what a previous process left pending, then claims again
 * periodically: the rows of a process that died while holding them, once their hold runs out. A claim
 * holds its rows for this process only, so processes sharing the store send each row once. The row id is
 * the idempotency key every channel sends along, so a resend after a crash is recognisable by the receiver.
 */
export class Dispatcher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Rows sent before the store holds them (journaled): their status is written once it does. */
  private readonly storedOf = new Map<string, Promise<void>>();
  private claimTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** Sends these rows now, or at their next attempt time; `stored` resolves once the store holds them. */
  dispatch(deliveries: readonly Delivery[], stored?: Promise<void>): void {
    for (const d of deliveries) {
      if (d.status !== 'pending') continue;
      if (stored) this.storedOf.set(d.id, stored);
      this.schedule(d);
    }
  }

  /** Claims the due rows of the store (after a restart) and schedules them, then keeps claiming; returns how many. */
  async resume(): Promise<number> {
    const claimed = await this.claimDue();
    if (!this.stopped && !this.claimTimer) {
      this.claimTimer = setInterval(() => {
        this.claimDue().catch((error: unknown) => this.options.onClaimError(error));
      }, CLAIM_EVERY_MS);
      this.claimTimer.unref();
    }
    return claimed;
  }

  private async claimDue(): Promise<number> {
    let claimed = 0;
    for (;;) {
      const rows = await this.options.store.claimDeliveries(this.options.clock(), CLAIM_BATCH);
      this.dispatch(rows);
      claimed += rows.length;
      if (rows.length < CLAIM_BATCH || this.stopped) return claimed;
    }
  }

  /** Sends a dead-lettered row again (an operator fixed the receiver). */
  retry(delivery: Delivery): void {
    this.schedule({ ...delivery, status: 'pending', nextAttemptAt: this.options.clock() });
  }

  /** Resolves when nothing is being sent right now (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight.values()]);
  }

  get pendingCount(): number {
    return this.timers.size + this.inFlight.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.claimTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.idle();
  }

  private schedule(d: Delivery): void {
    if (this.stopped || this.inFlight.has(d.id)) return;
    const existing = this.timers.get(d.id);
    if (existing) clearTimeout(existing);
    const wait = d.nextAttemptAt - this.options.clock();
    if (wait <= 0) {
      this.timers.delete(d.id);
      this.send(d);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(d.id);
      this.send(d);
    }, wait);
    timer.unref();
    this.timers.set(d.id, timer);
  }

  private send(d: Delivery): void {
    const run = this.attempt(d).then((next) => {
      this.inFlight.delete(d.id);
      if (next) this.schedule(next);
    });
    this.inFlight.set(d.id, run);
  }

  /** One send and its bookkeeping; returns the row to try again later, if any. */
  private async attempt(d: Delivery): Promise<Delivery | null> {
    const { clock, store } = this.options;
    const attempts = d.attempts + 1;
    const withheld = this.options.withheld?.(d) ?? null;
    const update: DeliveryUpdate =
      withheld === null
        ? await this.sendOnce(d, attempts)
        : {
            id: d.id,
            status: 'dead',
            attempts: d.attempts,
            nextAttemptAt: clock(),
            lastError: withheld,
            sentAt: null,
          };
    try {
      // An update before the row is stored would be lost, and the row resent after a restart.
      await this.storedOf.get(d.id);
      this.storedOf.delete(d.id);
      await store.updateDeliveries([update]);
      if (update.status !== 'pending') this.options.onSettled?.(d, update);
    } catch (error) {
      // The row stays as it was in the store: a restart sends it again (at least once, same id).
      this.options.onError(error, d);
    }
    return update.status === 'pending'
      ? { ...d, attempts, nextAttemptAt: update.nextAttemptAt, lastError: update.lastError }
      : null;
  }

  /** Sends the row once: sent, or pending again after a back-off, or dead (permanent or out of attempts). */
  private async sendOnce(d: Delivery, attempts: number): Promise<DeliveryUpdate> {
    const { channels, clock, policy } = this.options;
    try {
      await channels[d.channel].send(d);
      const now = clock();
      return { id: d.id, status: 'sent', attempts, nextAttemptAt: now, lastError: null, sentAt: now };
    } catch (error) {
      this.options.onError(error, d);
      const now = clock();
      const permanent = error instanceof DeliveryError && error.permanent;
      const dead = permanent || attempts >= policy.maxAttempts;
      const delay = backoffDelay(attempts, policy.baseDelayMs, policy.maxDelayMs, this.options.random);
      return {
        id: d.id,
        status: dead ? 'dead' : 'pending',
        attempts,
        nextAttemptAt: dead ? now : now + delay,
        lastError: (error as Error).message ?? String(error),
        sentAt: null,
      };
    }
  }
}
