import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  const limits = { windowMs: 60_000, perAccount: 3, perAddress: 5 };

  it('refuses an account after its limit of failures, until the oldest counted one leaves the window', () => {
    const clock = { now: 1_000_000 };
    const throttle = new LoginThrottle(limits, () => clock.now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfter('ceo@x.io', '10.0.0.1')).toBe(0);
      throttle.fail('ceo@x.io', '10.0.0.1');
      clock.now += 1_000;
    }
    expect(throttle.retryAfter('ceo@x.io', '10.0.0.2')).toBe(57); // first failure + 60 s
    clock.now += 57_000;
    expect(throttle.retryAfter('ceo@x.io', '10.0.0.2')).toBe(0);
  });

  it('limits an address across accounts, and a success clears only the account', () => {
    const clock = { now: 0 };
    const throttle = new LoginThrottle(limits, () => clock.now);
    for (let i = 0; i < 5; i++) throttle.fail(`user${i}@x.io`, '10.0.0.9');
    expect(throttle.retryAfter('someone@x.io', '10.0.0.9')).toBeGreaterThan(0);
    expect(throttle.retryAfter('someone@x.io', '10.0.0.8')).toBe(0);
    throttle.fail('a@x.io', '1.1.1.1');
    throttle.fail('a@x.io', '1.1.1.2');
    throttle.succeed('a@x.io');
    throttle.fail('a@x.io', '1.1.1.3');
    throttle.fail('a@x.io', '1.1.1.4');
    expect(throttle.retryAfter('a@x.io', '1.1.1.5')).toBe(0);
  });
});
