// node bench/migrate.mjs — `pulse migrate` copy rate: seeds a DuckDB store with about BENCH_EVENTS (1M)
// events (`pulse seed --direct`), then migrates it into a clickhouse-server started here, BENCH_RUNS (2)
// times into fresh databases, and prints per run the copy rate, the whole command's time (verification
// included) and the CPU seconds of the pulse process and of clickhouse-server (from /proc).
// BENCH_DATA_DIR reuses a store seeded before (left in place); BENCH_PULSE runs another build's bin/pulse.js
// (an A/B against an older build). Build first (npm run build). Needs /usr/sbin/clickhouse-server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse } from './lib/db-servers.mjs';
import { cpuOf } from './lib/proc-cpu.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const pulse = process.env.BENCH_PULSE ?? join(import.meta.dirname, '../packages/server/bin/pulse.js');
const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'pulse-migrate-bench-'));
const env = { ...process.env, PULSE_DATA_DIR: dataDir };

function run(...args) {
  const result = spawnSync(process.execPath, [pulse, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`pulse ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Runs pulse, sampling its CPU from /proc until it exits (the last 50 ms may be missed). */
async function measured(...args) {
  const started = performance.now();
  const child = spawn(process.execPath, [pulse, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let cpu = 0;
  const sampler = setInterval(() => {
    try {
      cpu = cpuOf(child.pid).total;
    } catch {
      // exited between two samples
    }
  }, 50);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`pulse ${args.join(' ')} failed:\n${stderr}`);
  return { stdout, cpu, seconds: (performance.now() - started) / 1000 };
}

const clickhouse = await startClickHouse();
try {
  if (!process.env.BENCH_DATA_DIR) {
    // 40 events per tenant per day by default: tenants × days × 40 ≈ EVENTS.
    const days = 100;
    const tenants = Math.max(1, Math.round(EVENTS / (days * 40)));
    console.log(
      `seeded: ${run('seed', '--direct', '--tenants', String(tenants), '--days', String(days), '--json').trim()}`,
    );
  }
  for (let i = 1; i <= RUNS; i++) {
    const to = clickhouse.url(`pulse_migrate_${Date.now()}_${i}`);
    const before = cpuOf(clickhouse.pid).total;
    const { stdout, seconds, cpu } = await measured('migrate', '--to', to, '--json');
    const clickhouseCpu = cpuOf(clickhouse.pid).total - before;
    const report = JSON.parse(stdout);
    const perThousand = (s) => ((s * 1000) / report.copied.events).toFixed(3);
    console.log(
      `run ${i}: ${report.copied.events} events copied in ${report.seconds.toFixed(1)} s = ${report.eventsPerSecond} events/s; ` +
        `whole command incl. verification ${seconds.toFixed(1)} s; ` +
        `CPU pulse ${cpu.toFixed(1)} s (${perThousand(cpu)} s/1K events), clickhouse ${clickhouseCpu.toFixed(1)} s (${perThousand(clickhouseCpu)} s/1K); ` +
        `ok=${report.ok}; ` +
        report.checks.map((c) => `${c.table} ${c.sourceRows}/${c.targetRows}`).join(', '),
    );
  }
} finally {
  await clickhouse.stop();
  if (!process.env.BENCH_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
}
