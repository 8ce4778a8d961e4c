import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

describe('pulse serve --demo: what a newcomer gets from `npm start`', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PULSE_DEMO: 'true' });
  }, 120_000);
  afterAll(async () => server.close());

  it('loads the demo tenants and an executive sign-in kept in the data dir (0600)', async () => {
    const file = join(server.dataDir, 'demo-login.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [email, password] = readFileSync(file, 'utf8').split('\n');
    expect(email).toBe('ceo@pulse.demo');
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(session.status).toBe(200);
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const summary = (await (await fetch(`${server.url}/api/summary`, { headers: { cookie } })).json()) as {
      keyMetrics: Record<string, unknown>;
      overallBusinessHealth: number;
    };
    expect(summary.overallBusinessHealth).toBeGreaterThan(0);
    const events = await server.api<{ events: unknown[] }>('/api/events?limit=10');
    expect(events.body.events).toHaveLength(10);
  });
});
