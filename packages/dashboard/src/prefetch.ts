import { api, qs } from './api';
import type { Summary } from './types';

/** The page's "now" at boot: the first window is computed from it, so the prefetch below matches it. */
export const bootNow = Date.now();

const pending = new Map<string, Promise<Summary>>();

export const summaryUrl = (tenant: string | null, from: number, to: number) =>
  `/api/summary${qs({ tenant: tenant ?? undefined, from: Math.round(from), to: Math.round(to) })}`;

/**
 * Starts the summary request at boot, in parallel with the session check, so first paint waits for one
 * round trip instead of two. Without a session it answers 401 and is simply dropped.
 */
export function prefetchSummary(url: string): void {
  const request = api<Summary>(url, { quiet401: true });
  request.catch(() => undefined);
  pending.set(url, request);
}

/** The prefetched response for exactly this URL (once; a failed one is retried), else a fresh request. */
export function fetchSummary(url: string): Promise<Summary> {
  const request = pending.get(url);
  pending.clear();
  return request ? request.catch(() => api<Summary>(url)) : api<Summary>(url);
}
