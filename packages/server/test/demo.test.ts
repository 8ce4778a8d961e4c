import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';

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

  it('pulse seed refuses to write into the demo tenants unless asked, and seeds new tenants', async () => {
    const env = { PULSE_DATA_DIR: server.dataDir };
    const refused = await runCli(env, 'seed', '--tenants', '2', '--days', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already have events');
    expect(refused.stderr).toContain('--into-existing');
    const before = await server.api<{ events: unknown[] }>('/api/events?tenant=seed-new&limit=1');
    expect(before.body.events).toHaveLength(0);
    const seeded = await runCli(env, 'seed', '--tenants', 'seed-new', '--days', '1', '--json');
    expect(seeded.code).toBe(0);
    expect((JSON.parse(seeded.stdout) as { events: number }).events).toBeGreaterThan(0);
  });
});
