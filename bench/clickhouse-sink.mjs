// node bench/clickhouse-sink.mjs — the ClickHouse log sink's bulk path: BENCH_ROWS (1M) seeded events,
// encoded as the ingest log holds them, loaded in the loader's 200K-row batches into a clickhouse-server
// started here (temp dir, free port, stopped at the end); then bytes per event on disk from system.parts and
// one timing of each common read.
// Build first (npm run build). Needs /usr/sbin/clickhouse-server.
import { startClickHouse } from './lib/db-servers.mjs';
import { generateEvents } from '../packages/server/dist/seed/index.js';
import { ClickHouseEventStore } from '../packages/server/dist/storage/clickhouse/clickhouse-event-store.js';
import { rowsOf, sectionOf } from '../packages/server/dist/ingestion/log-record.js';
import { sql } from '../packages/server/dist/sql.js';

const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 200_000);

const clickhouse = await startClickHouse();
try {
  const store = await ClickHouseEventStore.open(clickhouse.url('pulse_bench'));
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
