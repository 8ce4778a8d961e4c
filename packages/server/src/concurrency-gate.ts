import { UnavailableError } from './errors.js';

/**
 * Runs at most `concurrency` tasks at once; up to `maxWaiting` more wait their turn in order, and any
 * beyond that are refused at once (503 with Retry-After) rather than queued without bound. Used for
 * ad-hoc queries and for capture's streamed decodes (which only wait: maxWaiting = Infinity).
 */
export function concurrencyGate(concurrency: number, maxWaiting: number, what: string) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < concurrency) running++;
    else if (waiting.length >= maxWaiting)
      throw new UnavailableError(
        `${concurrency} ${what} are running and ${maxWaiting} waiting; retry shortly`,
        1,
      );
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
