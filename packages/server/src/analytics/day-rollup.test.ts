import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DayRollup,
  isBetterSource,
  keepLatest,
  offerAction,
  ranksBefore,
  type ActionCandidate,
} from './day-rollup.js';
import { WindowAccumulator } from './window-totals.js';

const candidate = fc.record({
  action: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  stake: fc.constantFrom(0, 10, 20, 30, 40),
  timestamp: fc.integer({ min: 0, max: 5 }),
  uuid: fc.uuid(),
  eventType: fc.constant('revenue_impact_event' as const),
  tenant: fc.constantFrom('t1', 't2'),
});

/** The top 5 distinct actions of a flat list, by brute force. */
function bruteForce(all: readonly ActionCandidate[]): ActionCandidate[] {
  const best = new Map<string, ActionCandidate>();
  for (const c of all) {
    const old = best.get(c.action);
    if (!old || isBetterSource(c, old)) best.set(c.action, c);
  }
  return [...best.values()].sort((a, b) => (ranksBefore(a, b) ? -1 : 1)).slice(0, 5);
}

describe('top actions', () => {
  it('per-bucket top 5 combine into the exact top 5 of the union', () => {
    fc.assert(
      fc.property(fc.array(fc.array(candidate, { maxLength: 30 }), { maxLength: 6 }), (buckets) => {
        const accumulator = new WindowAccumulator();
        const keys = { metrics: { size: 0 }, resources: { size: 0 }, decisions: { size: 0 } };
        for (const bucket of buckets) {
          const day = new DayRollup();
          for (const c of bucket) offerAction(day.actions, c);
          expect(day.actions.length).toBeLessThanOrEqual(5);
          accumulator.addTenant(keys, [day]);
        }
        expect(accumulator.finish().actions).toStrictEqual(bruteForce(buckets.flat()));
      }),
    );
  });
});

describe('keepLatest', () => {
  it('keeps the newest value per key, the lowest on a same-millisecond tie, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 2 }),
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 9 }),
          ),
        ),
        (readings) => {
          const forward: number[] = [];
          const backward: number[] = [];
          for (const [k, ts, v] of readings) keepLatest(forward, k, ts, v);
          for (const [k, ts, v] of [...readings].reverse()) keepLatest(backward, k, ts, v);
          const asMap = (triples: number[]) =>
            new Map(
              Array.from({ length: triples.length / 3 }, (_, i) => [
                triples[3 * i],
                triples.slice(3 * i + 1, 3 * i + 3),
              ]),
            );
          expect(asMap(forward)).toStrictEqual(asMap(backward));
          for (const [key, [ts, value]] of asMap(forward)) {
            const ofKey = readings.filter(([k]) => k === key);
            const newest = Math.max(...ofKey.map(([, t]) => t));
            expect(ts).toBe(newest);
            expect(value).toBe(Math.min(...ofKey.filter(([, t]) => t === newest).map(([, , v]) => v)));
          }
        },
      ),
    );
  });
});
