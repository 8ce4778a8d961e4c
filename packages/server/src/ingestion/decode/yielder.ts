import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long one request may keep the event loop before letting other requests' I/O run. */
const SLICE_MS = 5;

/**
 * Returns a function to await between steps of a long decode: it gives the event loop a turn once
 * the current slice has run for `sliceMs`, and costs nothing otherwise.
 */
export function yielder(sliceMs = SLICE_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < sliceMs) return undefined;
    return nextTurn().then(() => {
      since = performance.now();
    });
  };
}
