import type { Clock } from '../../src/clock.js';

/** A clock that moves only when told: `advance` runs what came due, in order, and waits for it. */
export function manualClock(start = Date.now()): Clock & { advance(ms: number): Promise<void> } {
  let now = start;
  let next = 0;
  const timers = new Map<number, { when: number; fn: () => unknown }>();
  return {
    now: () => now,
    at(when, fn) {
      const id = next++;
      timers.set(id, { when, fn });
      return () => timers.delete(id);
    },
    async advance(ms) {
      now += ms;
      const due = [...timers].filter(([, t]) => t.when <= now).sort(([, a], [, b]) => a.when - b.when);
      for (const [id] of due) timers.delete(id);
      await Promise.all(due.map(([, t]) => t.fn()));
    },
  };
}
