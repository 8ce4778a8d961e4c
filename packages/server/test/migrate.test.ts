import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { ClickHouseEventStore } from '../src/storage/clickhouse/clickhouse-event-store.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import type { MigrateReport } from '../src/migrate/migrate.js';
import { describeWithClickHouse, type TestClickHouse } from './helpers/clickhouse.js';
import { startTestServer } from './helpers/pulse-server.js';
import { runCli } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const bin = fileURLToPath(new URL('../bin/pulse.js', import.meta.url));

/** A store made as an operator's is: seeded history, then a server that quarantined an event and stopped. */
async function demoStore(): Promise<string> {
  const dataDir = temporaryDirectory('pulse-migrate-');
  const seeded = await runCli(
    { PULSE_DATA_DIR: dataDir },
    'seed',
    '--direct',
    '--tenants',
    '3',
    '--days',
    '4',
    '--generic',
  );
  expect(seeded.code, seeded.stderr).toBe(0);
  const server = await startTestServer({}, dataDir);
  const response = await fetch(`${server.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      api_key: 'phc_x',
      batch: [
        {
          event: 'revenue_impact_event',
          distinct_id: 'd1',
          properties: { tenant_id: 'acme', impact_amount: -5, impact_type: 'sideways' },
        },
      ],
    }),
  });
  expect(response.status).toBe(200);
  await server.close();
  return dataDir;
}

/** Every row the target's events table holds, copies not yet collapsed included. */
async function rawRows(clickhouse: TestClickHouse, url: string): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  return Number(await clickhouse.admin(`SELECT count() FROM ${database}.events`));
}

async function sourceCount(dataDir: string): Promise<number> {
  const store = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
  try {
    return await store.countEvents();
  } finally {
    await store.close();
  }
}

describeWithClickHouse('pulse migrate', (clickhouse) => {
  let dataDir: string;
  let events: number;
  beforeAll(async () => {
    dataDir = await demoStore();
    events = await sourceCount(dataDir);
  }, 180_000);

  it('copies every event and the quarantine, and both sides match table by table', async () => {
    const url = await clickhouse.freshDatabase();
    const result = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', url, '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as MigrateReport;
    expect(report.ok).toBe(true);
    expect(report.copied).toEqual({ events, quarantine: 1 });
    expect(report.checks.map((c) => [c.table, c.sourceRows, c.targetRows])).toEqual([
      ['events', events, events],
      ['quarantine', 1, 1],
    ]);
    expect(report.checks.every((c) => c.sourceDigest === c.targetDigest)).toBe(true);
    expect(report.stateIn).toBe(report.source);

    // What Pulse reads back from ClickHouse is what it read from DuckDB.
    const source = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
    const target = await ClickHouseEventStore.open(url);
    try {
      const page = { tenants: ['tenant-001'], limit: 50 };
      expect((await target.listEvents(page)).events).toEqual((await source.listEvents(page)).events);
      expect(await target.listQuarantine({ limit: 10 })).toEqual(await source.listQuarantine({ limit: 10 }));
    } finally {
      await target.close();
      await source.close();
    }

    // Run again: nothing is written twice.
    const again = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', url, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(await rawRows(clickhouse.server, url)).toBe(events);
  }, 120_000);

  it('resumes after the copy is killed mid-way, and stores every event once', async () => {
    const url = await clickhouse.freshDatabase();
    // The built CLI, killed with SIGKILL once its progress shows a first chunk acknowledged.
    const child = spawn(process.execPath, [bin, 'migrate', '--to', url, '--batch', '40'], {
      cwd: dataDir,
      env: { HOME: homedir(), TMPDIR: tmpdir(), PULSE_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/migrating: [1-9]\d*%/.test(stderr)) child.kill('SIGKILL');
    });
    expect(await exited, stderr).toBe('SIGKILL');
    const partial = await rawRows(clickhouse.server, url);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(events);

    const resumed = await runCli(
      { PULSE_DATA_DIR: dataDir },
      'migrate',
      '--to',
      url,
      '--batch',
      '40',
      '--json',
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as MigrateReport;
    expect(report.ok).toBe(true);
    expect(report.checks[0]).toMatchObject({ table: 'events', sourceRows: events, targetRows: events });
    expect(await rawRows(clickhouse.server, url)).toBe(events);
  }, 120_000);

  it('refuses a target that holds different data under the same uuid, and writes nothing', async () => {
    const url = await clickhouse.freshDatabase();
    const source = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
    const [first] = (await source.listEvents({ limit: 1 })).events;
    await source.close();
    const target = await ClickHouseEventStore.open(url);
    await target.importEvents([{ ...first!, distinctId: 'someone-else' }]);
    await target.close();

    const result = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the target already holds a different event ${first!.uuid}`);
    expect(await rawRows(clickhouse.server, url)).toBe(1);
  }, 60_000);

  it('skips events an interrupted run wrote before recording its position, and stores each once', async () => {
    // As a kill -9 leaves it: inserts acknowledged, no position recorded yet.
    const url = await clickhouse.freshDatabase();
    const source = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
    const written = (await source.listEvents({ limit: 7 })).events;
    await source.close();
    const target = await ClickHouseEventStore.open(url);
    await target.importEvents(written);
    await target.close();

    const result = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', url, '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as MigrateReport;
    expect(report.ok).toBe(true);
    expect(await rawRows(clickhouse.server, url)).toBe(events);
  }, 60_000);

  it('refuses a target that holds events this store does not have, and writes nothing', async () => {
    const url = await clickhouse.freshDatabase();
    const target = await ClickHouseEventStore.open(url);
    await target.importEvents([
      {
        uuid: '0190a4b2-0000-7000-8000-000000000001',
        event: '$pageview',
        distinctId: 'stranger',
        timestamp: Date.UTC(2024, 0, 1),
        ingestedAt: Date.UTC(2024, 0, 1),
        tenantId: null,
        properties: {},
      },
    ]);
    await target.close();

    const result = await runCli({ PULSE_DATA_DIR: dataDir }, 'migrate', '--to', url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the target holds 1 event(s) that are not in this store');
    expect(await rawRows(clickhouse.server, url)).toBe(1);
  }, 60_000);

  it('refuses an unreachable server, naming it without the password', async () => {
    const result = await runCli(
      { PULSE_DATA_DIR: dataDir },
      'migrate',
      '--to',
      'clickhouse://pulse:s3cret-pw@127.0.0.1:9/pulse',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ClickHouse at http://127.0.0.1:9 (database pulse)');
    expect(result.stderr).not.toContain('s3cret-pw');
  });

  it('refuses a source that is not a DuckDB store, or an encrypted one without its key', async () => {
    const notDuckDb = temporaryDirectory('pulse-migrate-bad-');
    writeFileSync(join(notDuckDb, 'pulse.duckdb'), 'just some text, long enough for a header');
    const url = await clickhouse.freshDatabase();
    const refused = await runCli({ PULSE_DATA_DIR: notDuckDb }, 'migrate', '--to', url);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pulse.duckdb is not a DuckDB store');

    // A DuckDB main header whose flags say "encrypted": refused before DuckDB opens the file.
    const encrypted = temporaryDirectory('pulse-migrate-enc-');
    const header = Buffer.alloc(4096);
    header.write('DUCK', 8, 'latin1');
    header.writeUInt32LE(1, 20);
    writeFileSync(join(encrypted, 'pulse.duckdb'), header);
    const noKey = await runCli({ PULSE_DATA_DIR: encrypted }, 'migrate', '--to', url);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('is an encrypted Pulse store, but PULSE_ENCRYPTION_KEY_FILE is not set');
  });
});
