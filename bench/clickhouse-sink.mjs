// node bench/clickhouse-sink.mjs — the ClickHouse log sink's bulk path: BENCH_ROWS (1M) seeded events,
// encoded as the ingest log holds them, loaded in the loader's 200K-row batches into a clickhouse-server
// started here (temp dir, free port, stopped at the end); then bytes per event on disk from system.parts and
// one timing of each common read.
// Build first (npm run build). Needs /usr/sbin/clickhouse-server.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { generateEvents } from '../packages/server/dist/seed/index.js';
import { ClickHouseEventStore } from '../packages/server/dist/storage/clickhouse/clickhouse-event-store.js';
import { rowsOf, sectionOf } from '../packages/server/dist/ingestion/log-record.js';
import { sql } from '../packages/server/dist/sql.js';

const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 200_000);

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startClickHouse() {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-ch-bench-'));
  for (const sub of ['log', 'data', 'tmp']) mkdirSync(join(dir, sub));
  const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?><yandex><logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog></logger>
<listen_host>127.0.0.1</listen_host><http_port>${http}</http_port><tcp_port>${tcp}</tcp_port><interserver_http_port>${interserver}</interserver_http_port>
<path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path><users_config>${dir}/users.xml</users_config><default_profile>default</default_profile>
<default_database>default</default_database><timezone>UTC</timezone><mark_cache_size>268435456</mark_cache_size></yandex>`,
  );
  writeFileSync(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?><yandex><profiles><default></default></profiles><users><default><password></password>
<networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users><quotas><default></default></quotas></yandex>`,
  );
  const child = spawn('/usr/sbin/clickhouse-server', [`--config-file=${join(dir, 'config.xml')}`], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${http}/ping`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error('clickhouse-server did not start');
    await delay(100);
  }
  return {
    url: `clickhouse://default@127.0.0.1:${http}/pulse_bench`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const clickhouse = await startClickHouse();
try {
  const store = await ClickHouseEventStore.open(clickhouse.url);
  const sink = await store.logSink();
  const genStart = performance.now();
  const batches = [];
  let rows = [];
  const ingestedAt = Date.now();
  for (const event of generateEvents({ tenants: 2000, days: 90, seed: 7, includeGeneric: true })) {
    rows.push(sink.encode(event, ingestedAt).row);
    if (rows.length === BATCH) {
      batches.push(sectionOf('events', rows));
      rows = [];
    }
    if (batches.length * BATCH + rows.length >= N) break;
  }
  if (rows.length) batches.push(sectionOf('events', rows));
  const total = batches.reduce((n, b) => n + b.rows, 0);
  const encodeSeconds = (performance.now() - genStart) / 1000;

  const loadStart = performance.now();
  let position = 0;
  for (const section of batches)
    await sink.load(
      { tables: [{ table: 'events', rows: section.rows, parts: [section.bytes] }], quarantine: [] },
      ++position,
    );
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const inputBytes = batches.reduce((n, b) => n + b.bytes.length, 0);

  const parts = async () => {
    const [row] = await store.connection.rows(
      sql`SELECT sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw, count() AS parts
        FROM system.parts WHERE database = 'pulse_bench' AND table = 'events' AND active`,
    );
    return { disk: Number(row.disk), raw: Number(row.raw), parts: Number(row.parts) };
  };
  const before = await parts();
  // One run of each read the API makes on every page or summary, over the loaded table (FINAL reads).
  const timed = async (work) => {
    const t = performance.now();
    await work();
    return +(performance.now() - t).toFixed(0);
  };
  const sample = rowsOf(batches[0])
    .slice(0, 1000)
    .map((row) => sink.uuidOf(row));
  const readMs = {
    countEvents: await timed(() => store.countEvents()),
    listEvents50: await timed(() => store.listEvents({ limit: 50 })),
    listTenants100: await timed(() => store.listTenants({ limit: 100 })),
    existingUuids1000: await timed(() => store.existingUuids(sample)),
  };
  const stored = await store.countEvents();
  console.log(
    JSON.stringify(
      {
        events: total,
        stored,
        batchRows: BATCH,
        generateAndEncodeSeconds: +encodeSeconds.toFixed(1),
        loadSeconds: +loadSeconds.toFixed(1),
        insertRowsPerSecond: Math.round(total / loadSeconds),
        jsonEachRowBytesPerEvent: +(inputBytes / total).toFixed(1),
        activeParts: before.parts,
        bytesOnDiskPerEvent: +(before.disk / total).toFixed(1),
        uncompressedBytesPerEvent: +(before.raw / total).toFixed(1),
        readMs,
      },
      null,
      2,
    ),
  );
  await store.close();
} finally {
  await clickhouse.stop();
}
