import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { openPgPool } from '../../src/storage/postgres/pg-client.js';
import { temporaryDirectory } from './temp-dir.js';
import { freePort } from './free-port.js';

const BIN = '/usr/lib/postgresql/15/bin';

/** Why PostgreSQL tests cannot run here, or null when they can. Missing binaries fail in CI. */
export function postgresUnavailable(): string | null {
  if (existsSync(join(BIN, 'postgres'))) return null;
  // eslint-disable-next-line no-restricted-properties -- CI decides whether a missing PostgreSQL fails or skips
  if (process.env.CI) throw new Error(`PostgreSQL 15 is required in CI (${BIN}/postgres is missing)`);
  return `PostgreSQL 15 is not installed (${BIN}); apt-get install postgresql`;
}

export interface TestPostgres {
  /** Port on 127.0.0.1; password logins over TCP. */
  port: number;
  /** Runs SQL as the superuser (over the Unix socket). */
  admin: (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  stop: () => Promise<void>;
}

/** PostgreSQL refuses to run as root: as root (CI), its processes run as the `postgres` OS user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A real PostgreSQL 15 in a temporary directory: initdb, then `postgres` on a free port of 127.0.0.1 with
 * its socket in the directory; ready once it logs so. Local socket logins are trusted (the superuser sets
 * things up); TCP logins need a password.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = temporaryDirectory('pulse-pg-');
  const data = join(dir, 'data');
  mkdirSync(data);
  const user = runAs();
  if (user) {
    // The run's temp root is root's own (0700): the postgres user may pass through it, not list it.
    const root = dirname(dir);
    chmodSync(root, statSync(root).mode | 0o001);
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const options: SpawnOptions = { ...(user ?? {}), cwd: dir };
  const init = spawnSync(
    join(BIN, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
    ],
    { ...options, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const server: ChildProcess = spawn(
    join(BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    { ...options, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let log = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    server.once('exit', (code) =>
      reject(new Error(`postgres exited (${code}) before it was ready:\n${log}`)),
    );
  });
  const superuser = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' });
  await superuser.connect();
  return {
    port,
    admin: (text, values) => superuser.query(text, values),
    stop: async () => {
      await superuser.end();
      server.kill('SIGINT'); // fast shutdown
      await exited;
    },
  };
}

let databases = 0;

/**
 * A fresh, empty database owned by a password login, as `PULSE_STATE_URL` would name it
 * (postgres://pulse:…@127.0.0.1:port/db): each caller gets its own, so suites never see each other's rows.
 */
export async function createStateDatabase(postgres: TestPostgres): Promise<string> {
  const name = `pulse_state_${process.pid}_${++databases}`;
  const role = await postgres.admin(`SELECT 1 FROM pg_roles WHERE rolname = 'pulse'`);
  if (role.rowCount === 0) await postgres.admin(`CREATE ROLE pulse LOGIN PASSWORD 'pulse-state-pw'`);
  await postgres.admin(`CREATE DATABASE ${name} OWNER pulse`);
  return `postgres://pulse:pulse-state-pw@127.0.0.1:${postgres.port}/${name}`;
}

export interface SuitePostgres {
  /** The suite's running server (started before its first test). */
  readonly server: TestPostgres;
  /**
   * `count` pools on one fresh state database, as that many Pulse processes have; `urlOptions` is appended to
   * the URL of all but the first. Pools the test has not ended are ended after it.
   */
  freshPools(count: number, urlOptions?: string): Promise<pg.Pool[]>;
  /** One pool on a fresh state database (ended after the test if the test has not). */
  freshPool(): Promise<pg.Pool>;
}

/**
 * A describe block with a real PostgreSQL started for it and stopped after it; skipped, with the reason in
 * its name, where PostgreSQL is not installed outside CI.
 */
export function describeWithPostgres(name: string, suite: (postgres: SuitePostgres) => void): void {
  const unavailable = postgresUnavailable();
  describe.skipIf(unavailable !== null)(`${name} ${unavailable ?? ''}`, () => {
    let server: TestPostgres | undefined;
    let open: pg.Pool[] = [];
    beforeAll(async () => {
      server = await startPostgres();
    }, 60_000);
    afterEach(async () => {
      await Promise.all(open.filter((pool) => !pool.ended && !pool.ending).map((pool) => pool.end()));
      open = [];
    });
    afterAll(async () => server?.stop());
    const postgres: SuitePostgres = {
      get server() {
        if (!server) throw new Error('PostgreSQL is not started yet (use it inside a test or hook)');
        return server;
      },
      async freshPools(count, urlOptions = '') {
        const url = await createStateDatabase(postgres.server);
        const pools = Array.from({ length: count }, (_, i) => openPgPool(i === 0 ? url : url + urlOptions));
        open.push(...pools);
        return pools;
      },
      async freshPool() {
        const [pool] = await postgres.freshPools(1);
        return pool as pg.Pool;
      },
    };
    suite(postgres);
  });
}
