import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * One clock for the whole page, so relative times ("3 min ago") keep moving on a wall screen without
 * polling the server. A single timer fires on wall-clock multiples of PERIOD_MS (:00, :15, :30, :45), so
 * every label on the page changes in the same frame; it runs only while something subscribes and the tab
 * is visible, and catches up at once when the tab is shown again.
 */
const PERIOD_MS = 15_000;

type Listener = (now: number) => void;
const listeners = new Set<Listener>();
let timer: number | undefined;
let watchingVisibility = false;

function schedule(): void {
  window.clearTimeout(timer);
  timer = undefined;
  if (!listeners.size || document.hidden) return;
  timer = window.setTimeout(tick, PERIOD_MS - (Date.now() % PERIOD_MS));
}

function tick(): void {
  const now = Date.now();
  for (const listener of listeners) listener(now);
  schedule();
}

function onVisibility(): void {
  // Hidden: schedule() only clears the timer. Shown again: the labels may be minutes stale, so tick now.
  if (document.hidden) schedule();
  else tick();
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!watchingVisibility) {
    document.addEventListener('visibilitychange', onVisibility);
    watchingVisibility = true;
  }
  if (timer === undefined) schedule();
  return () => {
    listeners.delete(listener);
    if (!listeners.size) schedule();
  };
}

/**
 * A value derived from the current time, e.g. `useClock((now) => ago(alert.last_seen, now))`. A render (for
 * any reason) derives it afresh; a tick of the shared clock re-renders the component only when the derived
 * value would change, so a label that still reads "3 min ago" costs nothing.
 */
export function useClock<T>(derive: (now: number) => T): T {
  const [, setTicks] = useState(0);
  const value = derive(Date.now());
  const latest = useRef({ derive, value });
  latest.current = { derive, value };
  useEffect(
    () =>
      subscribe((now) => {
        const { derive: current, value: shown } = latest.current;
        if (!Object.is(current(now), shown)) setTicks((n) => n + 1);
      }),
    [],
  );
  return value;
}
