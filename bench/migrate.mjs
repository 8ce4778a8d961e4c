// node bench/migrate.mjs — `pulse migrate` copy rate: seeds a DuckDB store with about BENCH_EVENTS (1M)
// events (`pulse seed --direct`), then migrates it into a clickhouse-server started here, BENCH_RUNS (2)
// times into fresh databases, and prints the copy rate and the verification time of each run.
// Build first (npm run build). Needs /usr/sbin/clickhouse-server. Temp dirs are removed at the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse } from './lib/db-servers.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const pulse = join(import.meta.dirname, '../packages/server/bin/pulse.js');
const dataDir = mkdtempSync(join(tmpdir(), 'pulse-migrate-bench-'));
const env = { ...process.env, PULSE_DATA_DIR: dataDir };

function run(...args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [pulse, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`pulse ${args.join(' ')} failed:\n${result.stderr}`);
  return { stdout: result.stdout, seconds: (performance.now() - started) / 1000 };
}

const clickhouse = await startClickHouse();
try {
  // 40 events per tenant per day by default: tenants × days × 40 ≈ EVENTS.
  const days = 100;
  const tenants = Math.max(1, Math.round(EVENTS / (days * 40)));
  const seeded = run('seed', '--direct', '--tenants', String(tenants), '--days', String(days), '--json');
  console.log(`seeded: ${seeded.stdout.trim()}`);
  for (let i = 1; i <= RUNS; i++) {
    const to = clickhouse.url(`pulse_migrate_${i}`);
    const { stdout, seconds } = run('migrate', '--to', to, '--json');
    const report = JSON.parse(stdout);
    console.log(
      `run ${i}: ${report.copied.events} events copied in ${report.seconds.toFixed(1)} s = ${report.eventsPerSecond} events/s; ` +
        `whole command incl. verification ${seconds.toFixed(1)} s; ok=${report.ok}; ` +
        report.checks.map((c) => `${c.table} ${c.sourceRows}/${c.targetRows}`).join(', '),
    );
  }
} finally {
  await clickhouse.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
