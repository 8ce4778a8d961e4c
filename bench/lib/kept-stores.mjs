// Preloaded stores for bench:scale-out, built once per event count and kept under a root dir, so a 10M-event
// run does not pay the seeding again. Layout of `<root>/events-<n>/`:
//   duckdb/  pulse/ (the data dir, DuckDB file inside) + built.json
//   scale/   pulse/ (the seeding process's data dir), clickhouse/ and postgres/ (server dirs) + built.json
//   run/     the working copies of one arm, removed after it
// built.json (the seed's own report and its arguments) is written last: a dir without it is a build that did not
// finish, and is built again. An arm never runs on the kept store itself but on a fresh copy of it, so what one
// arm captures is not in the next arm's data.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startClickHouse, startPostgres } from './db-servers.mjs';

export const DATABASE = 'bench';

/** Bytes under a path (du), for store sizes. */
export const diskBytes = (path) =>
  Number(spawnSync('du', ['-sb', path], { encoding: 'utf8' }).stdout.split('\t')[0]);

function copy(from, to) {
  rmSync(to, { recursive: true, force: true });
  const cp = spawnSync('cp', ['-a', '--reflink=auto', from, to], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`cp ${from} → ${to}: ${cp.stderr}`);
}

/** Runs `pulse seed --json`, its progress lines prefixed with the store's name; resolves to its report. */
function seed(bin, name, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'seed', '--direct', '--json', ...args], {
      env: { ...process.env, PULSE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    let partial = '';
    child.stderr.on('data', (chunk) => {
      const lines = (partial + chunk).split(/[\r\n]/);
      partial = lines.pop();
      for (const line of lines) if (line.trim()) process.stderr.write(`[${name}] ${line}\n`);
    });
    // --json puts the report on the last line of stdout, after any log lines.
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`pulse seed (${name}) exited ${code}`)),
    );
  });
}

async function build(dir, seedArgs, seedInto) {
  const marker = join(dir, 'built.json');
  if (existsSync(marker)) {
    const built = JSON.parse(readFileSync(marker, 'utf8'));
    if (JSON.stringify(built.seedArgs) === JSON.stringify(seedArgs)) return { ...built, reused: true };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pulse'), { recursive: true });
  const report = await seedInto(dir);
  const built = { ...report, seedArgs, builtAt: new Date().toISOString() };
  writeFileSync(marker, `${JSON.stringify(built, null, 2)}\n`);
  return { ...built, reused: false };
}

/**
 * Builds (or reuses) both stores of `events` seeded events under `root`, the two seeds in parallel.
 * Returns what each build reported and helpers to run an arm on fresh copies.
 */
export async function keptStores({ bin, root, events, seedArgs, env }) {
  const base = join(root, `events-${events}`);
  const duckdbDir = join(base, 'duckdb');
  const scaleDir = join(base, 'scale');
  const runDir = join(base, 'run');
  const [duckdb, scale] = await Promise.all([
    build(duckdbDir, seedArgs, (dir) =>
      seed(bin, 'duckdb', seedArgs, { ...env, PULSE_DATA_DIR: join(dir, 'pulse') }),
    ),
    build(scaleDir, seedArgs, async (dir) => {
      const servers = await databaseServers(dir);
      try {
        return await seed(bin, 'clickhouse', seedArgs, {
          ...env,
          ...servers.env,
          PULSE_STATE_URL: servers.postgres.createDatabase(DATABASE),
          PULSE_DATA_DIR: join(dir, 'pulse'),
        });
      } finally {
        await servers.stop();
      }
    }),
  ]);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  return {
    duckdb,
    scale,
    sizes: () => ({
      duckdb: diskBytes(join(duckdbDir, 'pulse')),
      clickhouse: diskBytes(join(scaleDir, 'clickhouse', 'data', 'data', DATABASE)),
      postgres: diskBytes(join(scaleDir, 'postgres', 'data')),
      scalePulse: diskBytes(join(scaleDir, 'pulse')),
    }),
    /** A fresh copy of the DuckDB store's data dir for one arm; `done()` removes it. */
    duckdbCopy: () => {
      const dir = join(runDir, 'duckdb');
      copy(join(duckdbDir, 'pulse'), dir);
      return { dataDir: dir, done: () => rmSync(dir, { recursive: true, force: true }) };
    },
    /** ClickHouse + PostgreSQL started on fresh copies of the scale store; `done()` stops and removes them. */
    scaleCopy: async () => {
      const dir = join(runDir, 'scale');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      for (const part of ['pulse', 'clickhouse', 'postgres']) copy(join(scaleDir, part), join(dir, part));
      const servers = await databaseServers(dir);
      return {
        dataDir: join(dir, 'pulse'),
        env: { ...servers.env, PULSE_STATE_URL: servers.postgres.url(DATABASE) },
        pids: [servers.clickhouse.pid, servers.postgres.pid],
        done: async () => {
          await servers.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

async function databaseServers(dir) {
  const clickhouse = await startClickHouse({ dir: join(dir, 'clickhouse') });
  const postgres = await startPostgres({ dir: join(dir, 'postgres') }).catch(async (error) => {
    await clickhouse.stop();
    throw error;
  });
  return {
    clickhouse,
    postgres,
    env: { PULSE_STORE_URL: clickhouse.url(DATABASE) },
    stop: async () => {
      await postgres.stop();
      await clickhouse.stop();
    },
  };
}
