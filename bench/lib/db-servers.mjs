// Real ClickHouse and PostgreSQL servers for the scale-out benchmarks, on free ports of 127.0.0.1. Each runs in
// its own temp dir, removed by stop(); or, given `dir`, on that kept dir (its data reused, kept by stop()).
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** clickhouse-server; `url(db)` names a store URL for a database it creates on first use by Pulse. */
export async function startClickHouse({ dir: kept } = {}) {
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'pulse-ch-bench-'));
  for (const sub of ['log', 'data', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
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
    const up = await fetch(`http://127.0.0.1:${http}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 600) throw new Error('clickhouse-server did not start');
    await delay(100);
  }
  return {
    pid: child.pid,
    url: (database) => `clickhouse://default@127.0.0.1:${http}/${database}`,
    query: async (text) => {
      const response = await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', body: text });
      const body = await response.text();
      if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${body}`);
      return body;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      if (!kept) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const PG = '/usr/lib/postgresql/15/bin';

/** PostgreSQL 15 (as the postgres OS user when run as root); `createDatabase(name)` → a state URL. */
export async function startPostgres({ dir: kept } = {}) {
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'pulse-pg-bench-'));
  const data = join(dir, 'data');
  const initialised = existsSync(join(data, 'PG_VERSION'));
  mkdirSync(data, { recursive: true });
  let user;
  if (process.getuid?.() === 0) {
    const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    user = { uid: id('-u'), gid: id('-g') };
    chmodSync(dirname(dir), statSync(dirname(dir)).mode | 0o001);
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const options = { ...(user ?? {}), cwd: dir };
  const init = initialised
    ? { status: 0 }
    : spawnSync(
        join(PG, 'initdb'),
        ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=trust', '-E', 'UTF8', '--locale=C'],
        { ...options, encoding: 'utf8' },
      );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const child = spawn(
    join(PG, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ],
    { ...options, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`postgres exited (${code}):\n${log}`)));
  });
  const psql = (text) => {
    const run = spawnSync(join(PG, 'psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-c', text], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`psql: ${run.stderr}`);
  };
  const url = (name) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    pid: child.pid,
    url,
    createDatabase: (name) => {
      psql(`CREATE DATABASE ${name}`);
      return url(name);
    },
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      if (!kept) rmSync(dir, { recursive: true, force: true });
    },
  };
}
