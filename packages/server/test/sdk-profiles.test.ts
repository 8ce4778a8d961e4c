import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { eventFields, isBusinessEventName } from '@pulse/events';
import { PostHog } from 'posthog-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent as ApiEvent } from '@pulse/api';
import { writeNewKeyFile, readEncryptionKeyFile } from '../src/encryption/key-file.js';
import { IngestLog } from '../src/ingestion/ingest-log.js';
import { encodeGroup } from '../src/ingestion/log-record.js';
import { attachSql } from '../src/storage/duckdb/open-database.js';
import { selectFromStaging } from '../src/storage/duckdb/read-json-sql.js';
import { allTables, createTableSql } from '../src/storage/duckdb/schema.js';
import { ident, run, sql } from '../src/storage/duckdb/sql.js';
import { startPulseProcess, type PulseProcess } from './helpers/pulse-process.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const token = 'phc_sdk_profiles';
type Props = Record<string, unknown>;

/** The catalog's typed properties of an event type, in catalog order (none for other events). */
const typedOf = (event: string): string[] =>
  isBusinessEventName(event) ? eventFields(event).map((f) => f.name) : [];

/**
 * Properties as the events API gives them: tenant_id, the catalog's typed properties in catalog order,
 * then the others in the order they were captured (posthog-node adds its own last).
 */
function asRead(event: string, captured: Props): Props {
  const typed = typedOf(event).filter((name) => name !== 'tenant_id' && captured[name] !== undefined);
  const out: Props = { tenant_id: captured.tenant_id };
  for (const name of typed) out[name] = captured[name];
  for (const [key, value] of Object.entries(captured)) if (!(key in out)) out[key] = value;
  return out;
}

/** Non-catalog properties as captured: what `properties` holds in /api/query. */
function extrasOf(event: string, captured: Props): Props {
  const typed = new Set(typedOf(event));
  return Object.fromEntries(Object.entries(captured).filter(([k]) => !typed.has(k) && k !== 'tenant_id'));
}

/** posthog-node, unmodified, recording the events exactly as it puts them on the wire. */
function nodeClient(url: string, sent: Map<string, { event: string; properties: Props }>) {
  return new PostHog(token, {
    host: url,
    flushAt: 100,
    flushInterval: 0,
    disableCompression: true,
    fetch: async (input, init) => {
      const body = JSON.parse(init.body as string) as {
        batch: { uuid: string; event: string; properties: Props }[];
      };
      for (const e of body.batch) sent.set(e.uuid, { event: e.event, properties: e.properties });
      return fetch(input, init);
    },
  });
}

function captureMix(client: PostHog, tenant: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const distinctId = `user-${i}`;
    if (i % 3 === 0)
      client.capture({
        distinctId,
        event: 'revenue_impact_event',
        properties: { tenant_id: tenant, impact_amount: i * 10.5, impact_type: 'positive', note: `n${i}` },
      });
    else if (i % 3 === 1)
      client.capture({
        distinctId,
        event: 'signup_clicked',
        properties: { tenant_id: tenant, plan: 'pro', seats: i },
      });
    else
      client.capture({ distinctId, event: '$pageview', properties: { tenant_id: tenant, tags: ['a', i] } });
  }
}

/** One read-only query on a stopped server's store file. */
async function storeRows(dataDir: string, key: Buffer | null, query: string) {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(attachSql(join(dataDir, 'pulse.duckdb'), 'db', { key, readOnly: true }));
    await c.run('USE db');
    return (await c.runAndReadAll(query)).getRowObjectsJS();
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

async function readBack(server: { api: TestServer['api'] }, tenant: string): Promise<ApiEvent[]> {
  const { status, body } = await server.api<{ events: ApiEvent[] }>(
    `/api/events?tenant=${tenant}&limit=1000`,
  );
  expect(status).toBe(200);
  return body.events;
}

/** Every stored event's properties, byte for byte, against what was sent. */
function expectExact(stored: ApiEvent[], sent: Map<string, { event: string; properties: Props }>): void {
  expect(stored).toHaveLength(sent.size);
  for (const e of stored) {
    const wire = sent.get(e.uuid);
    expect(wire, e.uuid).toBeDefined();
    expect(JSON.stringify(e.properties)).toBe(JSON.stringify(asRead(e.event, wire?.properties ?? {})));
  }
}

describe('SDK properties stored once per profile', () => {
  const servers: { close: () => Promise<void> }[] = [];
  const processes: PulseProcess[] = [];
  afterEach(async () => {
    for (const p of processes.splice(0)) await p.kill();
    for (const s of servers.splice(0)) await s.close();
  });

  it.each([false, true])(
    'posthog-node events read back byte-identical; the store holds their SDK properties once (encrypted: %s)',
    async (encrypted) => {
      const dataDir = temporaryDirectory('pulse-sdk-');
      const keyFile = join(dataDir, 'pulse.key');
      if (encrypted) writeNewKeyFile(keyFile);
      const env: Record<string, string> = { PULSE_PROJECT_TOKEN: token };
      if (encrypted)
        Object.assign(env, {
          PULSE_ENCRYPTION_KEY_FILE: keyFile,
          PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true',
        });
      const server = await startTestServer(env, dataDir);
      servers.push(server);
      const tenant = `tenant-sdk-${encrypted}`;
      const sent = new Map<string, { event: string; properties: Props }>();
      const client = nodeClient(server.url, sent);
      captureMix(client, tenant, 90);
      await client.shutdown();
      expect(sent.size).toBe(90);
      expect([...sent.values()][0]?.properties).toMatchObject({ $lib: 'posthog-node' });

      expectExact(await readBack(server, tenant), sent);
      // Ad-hoc SQL sees `properties` as captured, SDK properties included, and no profile id.
      const { body } = await server.api<{ columns: { name: string }[]; rows: unknown[][] }>('/api/query', {
        body: { sql: `SELECT uuid, event, properties FROM events WHERE tenant_id = '${tenant}'` },
      });
      expect(body, JSON.stringify(body)).toHaveProperty('rows');
      expect(body.rows).toHaveLength(90);
      for (const [uuid, event, properties] of body.rows as [string, string, string][])
        expect(JSON.parse(properties)).toEqual(extrasOf(event, sent.get(uuid)?.properties ?? {}));
      const { body: columns } = await server.api<{ columns: { name: string }[] }>('/api/query', {
        body: { sql: 'SELECT * FROM events LIMIT 1' },
      });
      expect(columns.columns.map((c) => c.name)).not.toContain('sdk_profile');

      await server.close();
      servers.pop();
      const key = encrypted ? readEncryptionKeyFile(keyFile).bytes : null;
      expect(await storeRows(dataDir, key, 'SELECT properties FROM sdk_profiles')).toEqual([
        { properties: JSON.stringify(pick([...sent.values()][0]?.properties ?? {}, /^\$/)) },
      ]);
      const [inline] = await storeRows(
        dataDir,
        key,
        `SELECT count(*) FILTER (properties LIKE '%$lib%') AS inline, count(*) FILTER (sdk_profile = 1) AS profiled FROM events`,
      );
      expect(inline).toEqual({ inline: 0n, profiled: 90n });
    },
  );

  it('a kill -9 before the load: the restart stores the profile from the replayed log, and reuses it', async () => {
    const dataDir = temporaryDirectory('pulse-sdk-crash-');
    // Nothing loads on its own before the kill: the acknowledged events are only in the ingest log.
    const first = await startPulseProcess({
      dataDir,
      env: {
        PULSE_PROJECT_TOKEN: token,
        PULSE_INGEST_LOAD_INTERVAL_MS: '60000',
        PULSE_INGEST_LOAD_ROWS: '1000000',
      },
    });
    processes.push(first);
    const sent = new Map<string, { event: string; properties: Props }>();
    const before = nodeClient(first.url, sent);
    captureMix(before, 'tenant-crash', 30);
    await before.shutdown();
    await first.kill();
    processes.pop();

    const server = await startTestServer({ PULSE_PROJECT_TOKEN: token }, dataDir);
    servers.push(server);
    expectExact(await readBack(server, 'tenant-crash'), sent);
    const after = nodeClient(server.url, sent);
    captureMix(after, 'tenant-crash', 30);
    await after.shutdown();
    expectExact(await readBack(server, 'tenant-crash'), sent);
    await server.close();
    servers.pop();
    expect(await storeRows(dataDir, null, 'SELECT id FROM sdk_profiles')).toEqual([{ id: 1 }]);
    expect(await storeRows(dataDir, null, 'SELECT count(*) AS n FROM events WHERE sdk_profile = 1')).toEqual([
      { n: BigInt(sent.size) },
    ]);
  });

  it('a store from before SDK profiles: its rows and its unloaded log read back unchanged, new events use profiles', async () => {
    const dataDir = temporaryDirectory('pulse-sdk-old-');
    const old = oldEvents();
    await writeOldStore(dataDir, old.slice(0, 2), old.slice(2));

    const server = await startTestServer({ PULSE_PROJECT_TOKEN: token }, dataDir);
    servers.push(server);
    const stored = await readBack(server, 'tenant-old');
    expect(stored).toHaveLength(old.length);
    for (const e of stored) {
      const captured = old.find((o) => o.uuid === e.uuid);
      expect(JSON.stringify(e.properties)).toBe(JSON.stringify(asRead(e.event, captured?.properties ?? {})));
    }
    const sent = new Map<string, { event: string; properties: Props }>();
    const client = nodeClient(server.url, sent);
    captureMix(client, 'tenant-new', 9);
    await client.shutdown();
    expectExact(await readBack(server, 'tenant-new'), sent);
    const { body } = await server.api<{ rows: unknown[][] }>('/api/query', {
      body: { sql: `SELECT properties->>'$."$lib"' AS lib, count(*) FROM events GROUP BY 1` },
    });
    expect(body, JSON.stringify(body)).toHaveProperty('rows');
    expect(body.rows).toEqual([['posthog-node', old.length + 9]]);
    await server.close();
    servers.pop();
    expect(
      await storeRows(
        dataDir,
        null,
        `SELECT tenant_id, count(sdk_profile) AS profiled FROM events GROUP BY 1 ORDER BY 1`,
      ),
    ).toEqual([
      { tenant_id: 'tenant-new', profiled: 9n },
      { tenant_id: 'tenant-old', profiled: 0n },
    ]);
  });
});

const pick = (props: Props, pattern: RegExp): Props =>
  Object.fromEntries(Object.entries(props).filter(([k]) => pattern.test(k)));

/** Events as an earlier posthog-node sent them, SDK properties last. */
function oldEvents() {
  const sdk = { $lib: 'posthog-node', $lib_version: '5.60.0', $geoip_disable: true };
  return [
    {
      uuid: '01944f5a-0000-7000-8000-000000000001',
      event: 'revenue_impact_event',
      properties: {
        tenant_id: 'tenant-old',
        impact_amount: 12.5,
        note: 'a',
        impact_type: 'negative',
        ...sdk,
      },
    },
    {
      uuid: '01944f5a-0000-7000-8000-000000000002',
      event: 'signup_clicked',
      properties: { tenant_id: 'tenant-old', plan: 'pro', ...sdk },
    },
    {
      uuid: '01944f5a-0000-7000-8000-000000000003',
      event: 'revenue_impact_event',
      properties: { tenant_id: 'tenant-old', impact_amount: 7, impact_type: 'positive', ...sdk },
    },
    {
      uuid: '01944f5a-0000-7000-8000-000000000004',
      event: '$pageview',
      properties: { tenant_id: 'tenant-old', ...sdk },
    },
  ];
}

/** A row as the store's loader staged it before SDK profiles: every non-catalog property inline. */
function oldRow(e: ReturnType<typeof oldEvents>[number], at: number): { table: string; row: string } {
  const typed = new Set(typedOf(e.event));
  const envelope = {
    uuid: e.uuid,
    event: e.event,
    tenant_id: 'tenant-old',
    distinct_id: 'old-user',
    timestamp: at,
    ingested_at: at,
  };
  const columns = Object.fromEntries(
    Object.entries(e.properties).filter(([k]) => typed.has(k) && k !== 'tenant_id'),
  );
  const extras = Object.fromEntries(
    Object.entries(e.properties).filter(([k]) => !typed.has(k) && k !== 'tenant_id'),
  );
  return {
    table: typed.size ? `ev_${e.event}` : 'ev_generic',
    row: JSON.stringify({ ...envelope, ...columns, properties: extras }),
  };
}

/** A store file and an ingest log as the previous release left them: `loaded` in the tables, `logged` not yet. */
async function writeOldStore(
  dataDir: string,
  loaded: ReturnType<typeof oldEvents>,
  logged: ReturnType<typeof oldEvents>,
): Promise<void> {
  const at = Date.UTC(2026, 0, 1);
  const instance = await DuckDBInstance.create(join(dataDir, 'pulse.duckdb'));
  const c = await instance.connect();
  for (const t of allTables)
    await c.run(
      createTableSql(
        t.table,
        t.columns.filter((col) => col.name !== 'sdk_profile'),
      ),
    );
  for (const e of loaded) {
    const { table, row } = oldRow(e, at);
    const staged = join(dataDir, 'staged.ndjson');
    writeFileSync(staged, row);
    const columns =
      allTables.find((t) => t.table === table)?.columns.filter((col) => col.name !== 'sdk_profile') ?? [];
    await run(c, sql`INSERT INTO ${ident(table)} ${selectFromStaging(staged, columns)}`);
  }
  await c.run('CHECKPOINT');
  c.closeSync();
  instance.closeSync();
  const { log } = await IngestLog.open({ dir: join(dataDir, 'ingest-log'), cipher: null, from: 0 });
  const rows = new Map<string, string[]>();
  for (const e of logged) {
    const { table, row } = oldRow(e, at + 1);
    rows.set(table, [...(rows.get(table) ?? []), row]);
  }
  await log.append(encodeGroup(at + 1, rows, [], []).payload);
  await log.close();
}
