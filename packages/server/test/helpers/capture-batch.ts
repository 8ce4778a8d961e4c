import { expect } from 'vitest';

/** POST /batch/ the way posthog-js does, and expect it accepted. */
export async function capture(url: string, token: string, events: unknown[]): Promise<void> {
  const response = await fetch(`${url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch: events, sent_at: new Date().toISOString() }),
  });
  expect(response.status).toBe(200);
}
