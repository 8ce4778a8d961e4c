/**
 * Brute-force limit for sign-in: failures are counted per account and per client address in a
 * sliding window; past the limit, attempts are refused (429 with Retry-After) without checking the
 * password, so guessing costs the attacker time and the server nothing. In memory: one process holds
 * the store, and a restart only resets the window.
 */
export interface ThrottleLimits {
  windowMs: number;
  perAccount: number;
  perAddress: number;
}

export const defaultLimits: ThrottleLimits = { windowMs: 15 * 60_000, perAccount: 5, perAddress: 30 };

const MAX_TRACKED = 50_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: ThrottleLimits = defaultLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the next attempt is allowed for this account or address; 0 = go ahead. */
  retryAfter(account: string, address: string): number {
    const now = this.now();
    const wait = (key: string, limit: number) => {
      const times = this.recent(key, now);
      if (times.length < limit) return 0;
      const oldestThatCounts = times[times.length - limit] ?? now;
      return Math.max(1, Math.ceil((oldestThatCounts + this.limits.windowMs - now) / 1000));
    };
    return Math.max(
      wait(`a:${account}`, this.limits.perAccount),
      wait(`ip:${address}`, this.limits.perAddress),
    );
  }

  fail(account: string, address: string): void {
    const now = this.now();
    if (this.failures.size >= MAX_TRACKED) this.evictExpired(now);
    for (const key of [`a:${account}`, `ip:${address}`])
      this.failures.set(key, [...this.recent(key, now), now]);
  }

  /** A correct password clears the account's count (the address keeps its record of others' failures). */
  succeed(account: string): void {
    this.failures.delete(`a:${account}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.limits.windowMs);
  }

  private evictExpired(now: number): void {
    for (const [key, times] of this.failures)
      if (!times.some((t) => t > now - this.limits.windowMs)) this.failures.delete(key);
    // Still full of live entries (a distributed attack): forget the oldest half rather than grow.
    if (this.failures.size >= MAX_TRACKED)
      for (const key of [...this.failures.keys()].slice(0, MAX_TRACKED / 2)) this.failures.delete(key);
  }
}
