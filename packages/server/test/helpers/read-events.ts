/** One event as `GET /api/events` returns it. */
export type { StoredEvent as ApiEvent } from '@pulse/api';
import type { StoredEvent as ApiEvent } from '@pulse/api';

/**
 * Every stored event matching `query` (e.g. `tenant=t1`), following `nextCursor` until the last page.
 * Works against any Pulse (in-process or spawned): pass its URL and admin key.
 */
export async function readAllEvents(
  url: string,
  adminKey: string,
  query: Record<string, string> = {},
  pageSize = 10_000,
): Promise<ApiEvent[]> {
  const events: ApiEvent[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const params = new URLSearchParams({ ...query, limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${url}/api/events?${params.toString()}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    if (response.status !== 200) {
      throw new Error(
        `GET /api/events?${params.toString()} answered ${response.status}: ${await response.text()}`,
      );
    }
    const body = (await response.json()) as { events: ApiEvent[]; nextCursor: string | null };
    events.push(...body.events);
    cursor = body.nextCursor;
    if (!cursor) return events;
  }
  throw new Error('GET /api/events: more than 10,000 pages');
}

/** The value of one Prometheus sample line, e.g. `pulse_capture_rejected_total{reason="queue_full"}`; 0 if absent. */
export async function metricValue(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}
