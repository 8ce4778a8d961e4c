import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../storage/event-store.js';
import type { Rule, WindowCondition } from '../rule-model.js';
import type { Alert } from '../types.js';
import { windowEvaluator } from './window.js';

const minute = 60_000;
const condition: WindowCondition = {
  kind: 'window',
  aggregate: 'weighted_mean',
  property: 'bounce_rate',
  weight: 'email_count',
  minutes: 60,
  minSample: 500,
  op: '>',
  value: 0.15,
};
const rule: Rule = {
  id: 'bounce',
  name: 'Bounce rate',
  severity: 'critical',
  enabled: true,
  events: ['email_deliverability_event'],
  condition,
  key: [],
  cooldownMinutes: 60,
  resolve: { mode: 'clear', afterMinutes: 0, hysteresis: 0.02 },
};

let n = 0;
const email = (t: number, count: number, rate: number): StoredEvent => ({
  uuid: `u-${++n}`,
  event: 'email_deliverability_event',
  distinctId: 'acme',
  timestamp: t,
  tenantId: 'acme',
  ingestedAt: t,
  properties: { tenant_id: 'acme', email_count: count, bounce_rate: rate, delivery_outcome: 'mixed' },
});

const make = (active = false) =>
  windowEvaluator(rule, condition, { budgets: { of: () => undefined }, hasActive: () => active });

describe('window evaluator', () => {
  it('restates the past windows a late event falls into', () => {
    const w = make();
    expect(w.onEvent(email(0, 600, 0.05), 0)).toEqual([]);
    expect(w.onEvent(email(30 * minute, 600, 0.05), 0)).toEqual([]);
    expect(w.onEvent(email(70 * minute, 5000, 0), 0)).toEqual([]);
    // Arrives last, happened at 20 min: the window ending at 20 min is (30 + 240) / 1200 = 22.5 %, while
    // the current one (10–70 min) is (30 + 240) / 6200 = 4.4 %.
    const [fire] = w.onEvent(email(20 * minute, 600, 0.4), 0);
    expect(fire?.verdict).toBe('fire');
    expect(fire?.value).toBeCloseTo(0.225, 9);
    // The restated window is the one ending at the late event (20 min), not the newest.
    expect(fire?.text?.(null).summary).toMatch(
      /^Since 00:20 UTC, 1 Jan: bounce rate 22\.5 % over the last 1 h/,
    );
    // Too late to matter (older than one window behind the newest): ignored.
    expect(w.onEvent(email(-100 * minute, 10_000, 1), 0)).toEqual([]);
    // A replay of the same event (same uuid) is not counted twice.
    const dup = email(71 * minute, 4000, 0.9);
    expect(w.onEvent(dup, 0)).toHaveLength(1);
    expect(w.onEvent(dup, 0)).toHaveLength(0);
  });

  it('holds inside the hysteresis band and below the minimum sample, clears past it; the timer closes the window', () => {
    const w = make(true);
    expect(w.onEvent(email(0, 1000, 0.2), 0)[0]?.verdict).toBe('fire');
    expect(w.onEvent(email(minute, 1000, 0.11), 0)[0]?.verdict).toBe('fire'); // 15.5 %
    expect(w.onEvent(email(2 * minute, 1000, 0.09), 0)[0]?.verdict).toBe('hold'); // 13.3 %: inside the 2-point band
    expect(w.onEvent(email(3 * minute, 3000, 0.05), 0)[0]?.verdict).toBe('clear'); // 9.2 %
    const alert = { tenantId: 'acme', keyParts: {} } as Alert;
    expect(w.onTick?.(30 * minute, [alert])[0]?.verdict).toBe('clear');
    const busy = make(true);
    busy.onEvent(email(0, 1000, 0.3), 0);
    expect(busy.onTick?.(30 * minute, [alert])[0]?.verdict).toBe('hold'); // still 30 % over the last hour
    expect(busy.onTick?.(61 * minute, [alert])[0]?.verdict).toBe('clear'); // the hour has passed
  });

  it('agrees with a brute-force evaluation of the windows late events fall into', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            t: fc.integer({ min: 0, max: 300 * minute }),
            count: fc.integer({ min: 0, max: 800 }),
            rate: fc.double({ min: 0, max: 0.4, noNaN: true }),
          }),
          { maxLength: 40 },
        ),
        (steps) => {
          const w = make();
          const kept: { t: number; count: number; rate: number }[] = [];
          let maxT = -Infinity;
          const span = 60 * minute;
          const stats = (end: number) => {
            const inside = kept.filter((p) => p.t > end - span && p.t <= end);
            const weight = inside.reduce((s, p) => s + p.count, 0);
            const mean = weight ? inside.reduce((s, p) => s + p.count * p.rate, 0) / weight : 0;
            return { weight, mean };
          };
          for (const step of steps) {
            const fired = w
              .onEvent(email(step.t, step.count, step.rate), 0)
              .some((o) => o.verdict === 'fire');
            if (step.t <= maxT - span) {
              expect(fired).toBe(false);
              continue;
            }
            kept.push(step);
            maxT = Math.max(maxT, step.t);
            const ends = [
              maxT,
              step.t,
              ...kept.filter((p) => p.t > step.t && p.t < step.t + span).map((p) => p.t),
            ];
            const windows = ends.map(stats);
            if (windows.some((x) => Math.abs(x.mean - 0.15) < 1e-6)) continue; // float noise at the boundary
            expect(fired).toBe(windows.some((x) => x.weight >= 500 && x.mean > 0.15));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with a brute-force window on in-order streams', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 40 * minute }),
            count: fc.integer({ min: 0, max: 800 }),
            rate: fc.double({ min: 0, max: 0.4, noNaN: true }),
          }),
          { maxLength: 60 },
        ),
        (steps) => {
          const w = make();
          const seen: { t: number; count: number; rate: number }[] = [];
          let t = 0;
          for (const step of steps) {
            t += step.gap;
            seen.push({ t, count: step.count, rate: step.rate });
            const fired = w.onEvent(email(t, step.count, step.rate), 0).some((o) => o.verdict === 'fire');
            const inWindow = seen.filter((p) => p.t > t - 60 * minute);
            const weight = inWindow.reduce((s, p) => s + p.count, 0);
            const mean = weight ? inWindow.reduce((s, p) => s + p.count * p.rate, 0) / weight : 0;
            if (Math.abs(mean - 0.15) < 1e-6) continue; // float noise at the boundary
            expect(fired).toBe(weight >= 500 && mean > 0.15);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
