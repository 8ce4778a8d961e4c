import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSettingsFrom, createAlertSystem } from '../src/alerts/index.js';
import { DuckDbAlertStore } from '../src/storage/duckdb/duckdb-alert-store.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const SECRET = 'whsec_Y3Jhc2gtdGVzdC1zZWNyZXQ=';

/**
 * The first process: the real pipeline and engine on a DuckDB file, with a test hook that kills the process
 * (SIGKILL, no cleanup) right after the alert transition and its outbox rows are committed, before any send.
 * It runs the TypeScript sources through Vite's module runner (what vitest itself uses).
 */
const childSource = `
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [root, dataDir, webhookUrl, secret, journaled] = process.argv.slice(2);
const vite = await import(pathToFileURL(join(root, 'node_modules/vite/dist/node/index.js')).href);
const server = await vite.createServer({
  configFile: false, root, logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  resolve: { conditions: ['pulse-source'] },
  ssr: { resolve: { conditions: ['pulse-source'], externalConditions: ['pulse-source'] } },
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = vite.createServerModuleRunner(server.environments.ssr, { hmr: false });
const src = (p) => runner.import(join(root, 'packages/server/src', p));
const { DuckDbEventStore } = await src('storage/duckdb/duckdb-event-store.ts');
const { DuckDbAlertStore } = await src('storage/duckdb/duckdb-alert-store.ts');
const { EventStream } = await src('ingestion/event-stream.ts');
const { IngestPipeline } = await src('ingestion/pipeline.ts');
const { createMetrics } = await src('observability/metrics.ts');
const { alertSettingsFrom, createAlertSystem } = await src('alerts/index.ts');

const events = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
const stream = new EventStream((e) => { throw e; });
const pipeline = new IngestPipeline({ store: events, stream, metrics: createMetrics(), queueMax: 1000, commitIntervalMs: 1 });
const store = await DuckDbAlertStore.open(events);
const quiet = { info() {}, warn() {}, error() {} };
const system = createAlertSystem({
  store,
  settings: { ...alertSettingsFrom({ alertEmailTo: [], alertWebhookUrl: webhookUrl, alertWebhookSecret: secret, outboundAllowPrivate: true }), digestCron: null },
  logger: quiet,
  ...(journaled === 'journal' ? { journal: { dir: join(dataDir, 'alert-journal'), cipher: null } } : {}),
  hooks: {
    afterCommit(batch) {
      if (!batch.deliveries.length) return;
      process.stdout.write('committed ' + batch.deliveries.map((d) => d.id).join(',') + '\\n');
      process.kill(process.pid, 'SIGKILL');
    },
  },
});
await system.engine.start(stream);
await pipeline.ingest([{
  uuid: '0195aaaa-0000-7000-8000-000000000001',
  event: 'security_incident_event',
  distinctId: 'acme',
  timestamp: Date.now(),
  properties: { tenant_id: 'acme', incident_type: 'data_leak', severity: 'high', affects_customer_data: true, records_affected: 1200 },
}]);
await new Promise((r) => setTimeout(r, 10_000));
process.stdout.write('the hook did not fire\\n');
process.exit(3);
`;

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}
const hits: Hit[] = [];
let receiver: Server;
let url = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(() => new Promise((r) => receiver.close(r)));

function runChild(
  dataDir: string,
  journaled: boolean,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; stdout: string; stderr: string }> {
  const script = join(temporaryDirectory('pulse-crash-child-'), 'child.mjs');
  writeFileSync(script, childSource);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, root, dataDir, url, SECRET, journaled ? 'journal' : ''], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The second (and third) process: this one, on the same DuckDB file. */
async function reopen(dataDir: string, journaled: boolean) {
  const events = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
  const store = await DuckDbAlertStore.open(events);
  const system = createAlertSystem({
    store,
    settings: {
      ...alertSettingsFrom({
        alertEmailTo: [],
        alertWebhookUrl: url,
        alertWebhookSecret: SECRET,
        outboundAllowPrivate: true,
      }),
      digestCron: null,
    },
    logger: pino({ level: 'silent' }),
    ...(journaled ? { journal: { dir: join(dataDir, 'alert-journal'), cipher: null } } : {}),
  });
  await system.engine.start();
  return {
    engine: system.engine,
    async close() {
      await system.close();
      await store.close();
      await events.close();
    },
  };
}

// Without the journal the hook fires after the store's commit; with it, after the journal's fsync and
// before the store write (the store never saw the batch: the restart must store it from the journal).
describe.each([
  ['store commit', false],
  ['journal fsync, before the store write', true],
])('kill -9 between the %s and the send', (_, journaled) => {
  it('delivers the notification exactly once after a restart', { timeout: 60_000 }, async () => {
    hits.length = 0;
    const dataDir = temporaryDirectory('pulse-crash-');
    const first = await runChild(dataDir, journaled);
    expect(first.stderr).toBe('');
    expect(first.signal).toBe('SIGKILL');
    const committed = /committed (\S+)/.exec(first.stdout)?.[1];
    expect(committed).toMatch(/^[0-9a-f-]+\.webhook$/);
    expect(hits).toHaveLength(0); // died before sending

    if (journaled) {
      const before = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
      const peek = await DuckDbAlertStore.open(before);
      expect(await peek.listAlerts({ limit: 5 })).toEqual([]); // only the journal holds it
      await peek.close();
      await before.close();
    }
    const second = await reopen(dataDir, journaled);
    for (let i = 0; i < 500 && hits.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await second.engine.flush();
    await second.engine.idle();
    expect(hits).toHaveLength(1);
    expect(hits[0]?.headers['webhook-id']).toBe(committed);
    const body = JSON.parse(hits[0]?.body ?? '{}') as {
      type: string;
      idempotency_key: string;
      data: { alert: { rule: string } };
    };
    expect(body).toMatchObject({
      type: 'alert.opened',
      idempotency_key: committed,
      data: { alert: { rule: 'security-customer-data-critical' } },
    });
    const [alert] = await second.engine.listAlerts({ limit: 5 });
    expect(alert).toMatchObject({ state: 'open', count: 1, tenantId: 'acme' });
    expect(await second.engine.listDeliveries({ limit: 5 })).toMatchObject([
      { id: committed, status: 'sent', attempts: 1 },
    ]);
    await second.close();

    // A third start finds nothing pending: the notification is not sent twice.
    const third = await reopen(dataDir, journaled);
    await third.engine.flush();
    await third.engine.idle();
    expect(hits).toHaveLength(1);
    expect(await third.engine.listDeliveries({ statuses: ['pending'], limit: 5 })).toEqual([]);
    await third.close();
  });
});
