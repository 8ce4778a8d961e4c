import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';

const tenant = 'tenant-q';
const valid = (i: number) => ({
  event: 'revenue_impact_event',
  distinct_id: `d${i}`,
  uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
  properties: { tenant_id: tenant, impact_amount: 100 + i, impact_type: 'positive' },
});

async function capture(url: string, body: unknown, path = '/batch/') {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('quarantine through the capture API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it('stores the valid events of a batch, keeps the invalid one aside, and says which and why', async () => {
    const bad = {
      ...valid(2),
      properties: { ...valid(2).properties, impact_amount: -5, impact_type: 'sideways' },
    };
    const res = await capture(server.url, {
      api_key: 'phc_x',
      batch: [
        valid(1),
        bad,
        valid(3),
        { event: '$pageview', distinct_id: 'x', properties: { tenant_id: tenant } },
      ],
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as {
      status: string;
      quarantined: { index: number; reasons: string[] }[];
    };
    expect(body.status).toBe('Ok');
    expect(body.quarantined).toHaveLength(1);
    expect(body.quarantined[0]?.index).toBe(1);
    expect(body.quarantined[0]?.reasons).toEqual([
      'revenue_impact_event: property "impact_amount" must be a number ≥ 0 (rule: minimum); received -5',
      'revenue_impact_event: property "impact_type" must be one of negative | positive (rule: enum); received "sideways"',
    ]);
    const events = await server.api<{ events: { distinctId: string }[] }>(`/api/events?tenant=${tenant}`);
    expect(events.body.events.map((e) => e.distinctId).sort()).toEqual(['d1', 'd3', 'x']);

    const listed = await server.api<{
      quarantined: {
        id: string;
        batchIndex: number;
        issues: { property: string; rule: string; value: unknown }[];
      }[];
    }>('/api/quarantine');
    expect(listed.body.quarantined).toHaveLength(1);
    const [entry] = listed.body.quarantined;
    expect(entry?.id).toBe(bad.uuid);
    expect(entry?.issues.map((i) => [i.property, i.rule, i.value])).toEqual([
      ['impact_amount', 'minimum', -5],
      ['impact_type', 'enum', 'sideways'],
    ]);

    // Replaying unchanged data keeps it quarantined, and the CLI says so with a failing exit code;
    // with corrected data it is stored and leaves the quarantine.
    const again = await server.api<{ replayed: string[]; stillInvalid: unknown[] }>(
      '/api/quarantine/replay',
      { body: { ids: [bad.uuid] } },
    );
    expect(again.body).toMatchObject({ replayed: [], stillInvalid: [{ id: bad.uuid }] });
    const cli = await runCli(
      {},
      'quarantine',
      'replay',
      bad.uuid,
      '--url',
      server.url,
      '--key',
      server.adminKey,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('still invalid: 1');
    const fixed = await server.api<{ replayed: string[] }>('/api/quarantine/replay', {
      body: {
        ids: [bad.uuid, 'missing-id'],
        fixes: { [bad.uuid]: { impact_amount: 5, impact_type: 'negative' } },
      },
    });
    expect(fixed.body).toMatchObject({ replayed: [bad.uuid], stillInvalid: [], notFound: ['missing-id'] });
    expect((await server.api<{ quarantined: unknown[] }>('/api/quarantine')).body.quarantined).toEqual([]);
    const stored = await server.api<{ events: { uuid: string; properties: Record<string, unknown> }[] }>(
      `/api/events?tenant=${tenant}&event=revenue_impact_event`,
    );
    expect(stored.body.events.find((e) => e.uuid === bad.uuid)?.properties).toMatchObject({
      impact_amount: 5,
      impact_type: 'negative',
    });
  });

  it('stores an event once however often its uuid is sent (dedup), and answers the same', async () => {
    const event = valid(50);
    for (let i = 0; i < 3; i++)
      expect((await capture(server.url, { api_key: 'phc_x', batch: [event, event] })).text).toBe(
        '{"status":"Ok"}',
      );
    const events = await server.api<{ events: { uuid: string }[] }>(
      `/api/events?tenant=${tenant}&limit=1000`,
    );
    expect(events.body.events.filter((e) => e.uuid === event.uuid)).toHaveLength(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/pulse_events_duplicate_total 5/);
  });

  it('refuses requests it cannot read with PostHog statuses and plain-text reasons', async () => {
    expect(await capture(server.url, { api_key: 'phc_x', batch: [{ event: 'x', properties: {} }] })).toEqual({
      status: 400,
      text: expect.stringContaining('event submitted without a distinct_id'),
    });
    expect((await capture(server.url, { batch: [{ event: 'x', distinct_id: 'a' }] })).status).toBe(400);
    expect((await capture(server.url, [{ event: 'x', distinct_id: 'a' }])).status).toBe(401);
    const notJson = await fetch(`${server.url}/e/`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toMatch(/^failed to parse request/);
  });

  it('answers the JSON API only with an API key, in the API error shape', async () => {
    const response = await fetch(`${server.url}/api/events`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) },
    });
    const bad = await server.api<{ error: { code: string; message: string } }>('/api/events?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('limit must be a whole number from 1 to 10000; received "0"');
  });
});
