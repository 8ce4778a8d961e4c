/** Time as the server sees it: read it, and run something once it reaches a moment. */
export interface Clock {
  now: () => number;
  /** Runs `fn` once `now()` reaches `when` (epoch ms); returns a cancel. */
  at: (when: number, fn: () => unknown) => () => void;
}

// setTimeout takes at most 2^31-1 ms (~24.8 days); a later moment is reached in several hops.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** The wall clock, with timers that never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  at(when, fn) {
    let timer: NodeJS.Timeout;
    const arm = () => {
      const wait = when - Date.now();
      timer = setTimeout(wait > MAX_DELAY_MS ? arm : fn, Math.max(0, Math.min(wait, MAX_DELAY_MS)));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};
