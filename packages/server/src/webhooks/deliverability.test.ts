import { describe, expect, it } from 'vitest';
import type { EmailWindow } from '../storage/webhook-store.js';
import { closesEarly, deliverabilityEvent, numbersOf, windowFor } from './deliverability.js';

const WINDOW = 15 * 60_000;
const window = (counts: Partial<EmailWindow>): EmailWindow => ({
  ...windowFor('acme', 'sendgrid', 'mail.acme.io', 1_000_000, WINDOW),
  ...counts,
});

describe('deliverability numbers', () => {
  it('counts emails as final outcomes and takes both rates over them', () => {
    expect(
      numbersOf(window({ delivered: 90, hardBounced: 6, softBounced: 4, deferred: 7, complained: 1 })),
    ).toEqual({
      emailCount: 100,
      bounceRate: 0.1,
      spamRate: 0.01,
      outcome: 'mixed',
      risk: 'critical',
      actions: [
        'Remove hard-bounced addresses and check how they were collected',
        'Check blocks and throttling at the receiving domains (soft bounces, deferrals)',
        'Review what recipients complained about and make unsubscribing easy',
      ],
    });
  });

  it('names a single outcome and has no rates without emails', () => {
    expect(numbersOf(window({ deferred: 3 }))).toMatchObject({
      emailCount: 0,
      bounceRate: null,
      outcome: 'deferred',
      risk: 'low',
    });
    expect(numbersOf(window({ delivered: 5 }))).toMatchObject({
      outcome: 'delivered',
      bounceRate: 0,
      actions: [],
    });
    expect(deliverabilityEvent(window({}), { at: 2_000_000, early: false }, WINDOW)).toBeNull();
  });

  it('grades risk at the published lines: 5 / 8 / 15 % bounces, 0.1 / 0.3 / 0.5 % complaints', () => {
    const risk = (c: Partial<EmailWindow>) => numbersOf(window(c)).risk;
    expect(risk({ delivered: 95, hardBounced: 5 })).toBe('low');
    expect(risk({ delivered: 94, hardBounced: 6 })).toBe('medium');
    expect(risk({ delivered: 91, hardBounced: 9 })).toBe('high');
    expect(risk({ delivered: 84, hardBounced: 16 })).toBe('critical');
    expect(risk({ delivered: 10_000, complained: 31 })).toBe('high');
  });

  it('closes a window early once per rise to high or critical, from 20 emails', () => {
    expect(closesEarly(window({ delivered: 10, hardBounced: 9 }))).toBe(false);
    expect(closesEarly(window({ delivered: 11, hardBounced: 9 }))).toBe(true);
    expect(closesEarly(window({ delivered: 11, hardBounced: 9, reportedRisk: 4 }))).toBe(false);
    expect(closesEarly(window({ delivered: 18, hardBounced: 2, reportedRisk: 3 }))).toBe(false);
    expect(closesEarly(window({ delivered: 16, hardBounced: 4, reportedRisk: 3 }))).toBe(true);
  });

  it('reports a window under a uuid that names the window and how it closed', () => {
    const w = window({ delivered: 10 });
    const end = deliverabilityEvent(w, { at: w.start + WINDOW, early: false }, WINDOW);
    expect(end?.uuid).toBe(deliverabilityEvent(w, { at: w.start + WINDOW, early: false }, WINDOW)?.uuid);
    expect(end?.uuid).not.toBe(deliverabilityEvent(w, { at: w.start + 1, early: true }, WINDOW)?.uuid);
    expect(end?.properties).toMatchObject({
      email_count: 10,
      provider: 'sendgrid',
      sending_domain: 'mail.acme.io',
    });
  });
});
