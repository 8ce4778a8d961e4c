import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Quarantined } from '@pulse/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startQueryStandIn, type StandInEvent } from './helpers/posthog-query-stand-in.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { readAllEvents } from './helpers/read-events.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const projectId = '4242';
const personalApiKey = 'phx_backfill_test_key';
const keyWithoutScope = 'phx_no_query_read';
const oddName = `plan's "pro" \\ upgrade`;

/** Two events per minute sharing one timestamp (so pages split ties), the later one with the smaller uuid. */
function standInEvent(i: number, event: string, properties: Record<string, unknown>): StandInEvent {
  const minute = Math.floor(i / 2);
  const at = new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString().slice(0, 19);
  return {
    uuid: `0191a2b3-0000-4000-8000-${String(1000 - i).padStart(12, '0')}`,
    event,
    distinct_id: `user-${i % 5}`,
    timestamp: `${at}.${String(minute * 1001).padStart(6, '0')}Z`,
    properties,
  };
}

const valid = Array.from({ length: 20 }, (_, i) =>
  i % 4 === 0
    ? standInEvent(i, 'revenue_impact_event', {
        tenant_id: 'acme',
        impact_amount: 10 + i,
        impact_type: 'positive',
      })
    : standInEvent(i, '$pageview', { tenant_id: 'acme', $current_url: `https://acme.test/${i}` }),
);
valid.push(standInEvent(20, oddName, { tenant_id: 'acme' }));
const invalid = standInEvent(21, 'revenue_impact_event', {
  tenant_id: 'acme',
  impact_amount: -5,
  impact_type: 'sideways',
});
const beforeRange = { ...standInEvent(22, '$pageview', {}), timestamp: '2026-02-28T23:59:59.999999Z' };
const dataSet = [...valid, invalid, beforeRange];
const sorted = (uuids: string[]) => [...uuids].sort();

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function standIn() {
  const api = await startQueryStandIn({ projectId, personalApiKey, keyWithoutScope, events: dataSet });
  closers.push(api.close);
  return api;
}

async function server(dataDir?: string): Promise<TestServer> {
  const running = await startTestServer({}, dataDir);
  closers.push(running.close);
  return running;
}

/** `pulse import posthog` for March 1st, 3 events a page, no retries unless `extra` asks for them. */
function importPosthog(env: Record<string, string>, host: string, ...extra: string[]) {
  return runCli(
    env,
    'import',
    'posthog',
    '--host',
    host,
    '--project-id',
    projectId,
    '--from',
    '2026-03-01',
    '--to',
    '2026-03-02T00:00:00Z',
    '--batch-size',
    '3',
    '--retries',
    '0',
    ...extra,
  );
}

const viaServer = (s: TestServer) => ['--url', s.url];
/** Nothing listens on port 1: the CLI finds no server and writes into the data dir itself. */
const offline = ['--url', 'http://127.0.0.1:1'];

async function storedUuids(s: TestServer): Promise<string[]> {
  return (await readAllEvents(s.url, s.adminKey)).map((e) => e.uuid);
}

async function quarantinedIds(s: TestServer): Promise<string[]> {
  const listed = await runCli(
    { PULSE_DATA_DIR: s.dataDir },
    'quarantine',
    'list',
    '--json',
    '--url',
    s.url,
    '--key',
    s.adminKey,
  );
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { quarantined: Quarantined[] }).quarantined.map((q) => q.id);
}

describe('pulse import posthog', () => {
  it('imports a range through a running server, quarantines what breaks its schema, and never stores twice', async () => {
    const api = await standIn();
    const pulse = await server();
    const env = { PULSE_DATA_DIR: pulse.dataDir };
    const first = await importPosthog(
      env,
      api.host,
      '--personal-api-key',
      personalApiKey,
      ...viaServer(pulse),
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('imported 22 events from PostHog project 4242');
    expect(first.stderr).toContain('1 quarantined');
    expect(sorted(await storedUuids(pulse))).toEqual(sorted(valid.map((e) => e.uuid)));
    expect(await quarantinedIds(pulse)).toEqual([invalid.uuid]);
    // The project answers in UTC−5; the stored time is the same instant.
    const stored = await readAllEvents(pulse.url, pulse.adminKey);
    expect(stored.find((e) => e.uuid === valid[3]?.uuid)?.timestamp).toBe('2026-03-01T10:01:00.001Z');
    // Keyset paging: one count, then 8 pages of 3, each after the last row of the one before; no OFFSET.
    const pages = api.queries.filter((q) => q.query.startsWith('SELECT uuid'));
    expect(pages).toHaveLength(8);
    expect(api.queries.every((q) => !/OFFSET/i.test(q.query))).toBe(true);
    expect(pages[1]?.values).toMatchObject({
      after_timestamp: '2026-03-01T10:01:00.001001Z',
      after_uuid: valid[3]?.uuid,
    });

    const again = await importPosthog(
      env,
      api.host,
      '--personal-api-key',
      personalApiKey,
      ...viaServer(pulse),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    const restarted = await importPosthog(
      env,
      api.host,
      '--personal-api-key',
      personalApiKey,
      '--restart',
      ...viaServer(pulse),
    );
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(sorted(await storedUuids(pulse))).toEqual(sorted(valid.map((e) => e.uuid)));
    expect(await quarantinedIds(pulse)).toEqual([invalid.uuid]);
  });

  it('stops on a failing PostHog with a resume hint, and the same command resumes to completion', async () => {
    const api = await standIn();
    const pulse = await server();
    const env = { PULSE_DATA_DIR: pulse.dataDir };
    api.trouble.failAfterPages = { pages: 2, how: '500' };
    const failed = await importPosthog(
      env,
      api.host,
      '--personal-api-key',
      personalApiKey,
      ...viaServer(pulse),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'PostHog failed the query (500) after 1 attempt(s): ClickHouse error while executing query.',
    );
    expect(failed.stderr).toContain(
      '6 events imported so far are kept; run the same command again to resume after 2026-03-01T10:02:00.002002Z',
    );
    expect((await storedUuids(pulse)).length).toBe(6);

    api.heal();
    const queriesBefore = api.queries.length;
    const resumed = await importPosthog(
      env,
      api.host,
      '--personal-api-key',
      personalApiKey,
      ...viaServer(pulse),
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming after 2026-03-01T10:02:00.002002Z');
    expect(resumed.stderr).toContain('imported 22 events');
    // The first page of the second run starts after the checkpoint, not at the start of the range.
    expect(api.queries[queriesBefore + 1]?.values).toMatchObject({
      after_timestamp: '2026-03-01T10:02:00.002002Z',
      after_uuid: valid[4]?.uuid,
    });
    expect(sorted(await storedUuids(pulse))).toEqual(sorted(valid.map((e) => e.uuid)));
  });

  it('without a server, writes through the data dir pipeline, resumes after a dropped connection, and dedups across modes', async () => {
    const api = await standIn();
    const dataDir = temporaryDirectory('pulse-import-');
    const env = { PULSE_DATA_DIR: dataDir, PULSE_POSTHOG_PERSONAL_API_KEY: personalApiKey };
    api.trouble.failAfterPages = { pages: 1, how: 'drop' };
    const failed = await importPosthog(env, api.host, ...offline);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/PostHog at http:\/\/127\.0\.0\.1:\d+ did not answer after 1 attempt\(s\)/);
    expect(failed.stderr).toContain(
      '3 events imported so far are kept; run the same command again to resume after',
    );
    expect(readdirSync(join(dataDir, 'imports'))).toHaveLength(1);

    api.heal();
    const resumed = await importPosthog(env, api.host, ...offline);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming after 2026-03-01T10:01:00.001001Z (3 events imported before)');
    expect(resumed.stderr).toContain(`imported 22 events from PostHog project 4242 into ${dataDir}`);

    const pulse = await server(dataDir);
    expect(sorted(await storedUuids(pulse))).toEqual(sorted(valid.map((e) => e.uuid)));
    expect(await quarantinedIds(pulse)).toEqual([invalid.uuid]);
    const overHttp = await importPosthog(env, api.host, '--restart', ...viaServer(pulse));
    expect(overHttp.code, overHttp.stderr).toBe(0);
    expect((await storedUuids(pulse)).length).toBe(valid.length);
  });

  it('says which key or permission PostHog refused, or why it refused the query', async () => {
    const api = await standIn();
    const env = { PULSE_DATA_DIR: temporaryDirectory('pulse-import-') };
    const noKey = await importPosthog(env, api.host, ...offline);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain(
      'no PostHog personal API key: pass --personal-api-key or set PULSE_POSTHOG_PERSONAL_API_KEY',
    );

    const wrongKey = await importPosthog(env, api.host, '--personal-api-key', 'phx_wrong', ...offline);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain(
      'PostHog refused the personal API key (401: Personal API key found in request Authorization header is invalid.)',
    );
    const noScope = await importPosthog(env, api.host, '--personal-api-key', keyWithoutScope, ...offline);
    expect(noScope.code).toBe(1);
    expect(noScope.stderr).toContain('PostHog denied the query (403');
    expect(noScope.stderr).toContain('the personal API key needs the query:read scope');

    api.trouble.refuse = 'Unable to resolve field: distinct_id';
    const refused = await importPosthog(env, api.host, '--personal-api-key', personalApiKey, ...offline);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PostHog refused the query (400): Unable to resolve field: distinct_id');
    expect(existsSync(join(env.PULSE_DATA_DIR, 'imports'))).toBe(false);
  });

  it('waits out a rate limit as Retry-After asks, and passes event names as placeholder values', async () => {
    const api = await standIn();
    const pulse = await server();
    api.trouble.rateLimitOnce = 1;
    const run = await importPosthog(
      { PULSE_DATA_DIR: pulse.dataDir },
      api.host,
      '--personal-api-key',
      personalApiKey,
      '--retries',
      '2',
      '--event',
      oddName,
      '--event',
      'revenue_impact_event',
      ...viaServer(pulse),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'PostHog rate-limited the query (429); waiting 1 s as its Retry-After asks, then retrying (attempt 2 of 3)',
    );
    const names = (await readAllEvents(pulse.url, pulse.adminKey)).map((e) => e.event);
    expect(names.filter((n) => n === oddName)).toHaveLength(1);
    expect(new Set(names)).toEqual(new Set([oddName, 'revenue_impact_event']));
    expect(names).toHaveLength(6);
    // The names travel as placeholder values, never in the query text.
    expect(api.queries.at(-1)?.query).toContain('event IN ({event_0}, {event_1})');
    expect(api.queries.at(-1)?.values).toMatchObject({ event_0: oddName, event_1: 'revenue_impact_event' });
    expect(await quarantinedIds(pulse)).toEqual([invalid.uuid]);
  });
});
