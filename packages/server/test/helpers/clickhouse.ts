import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe } from 'vitest';
import { temporaryDirectory } from './temp-dir.js';
import { freePort } from './free-port.js';

const BIN = '/usr/sbin/clickhouse-server';

/** Why ClickHouse tests cannot run here, or null when they can. A missing server fails in CI. */
export function clickhouseUnavailable(): string | null {
  if (existsSync(BIN)) return null;
  // eslint-disable-next-line no-restricted-properties -- CI decides whether a missing ClickHouse fails or skips
  if (process.env.CI) throw new Error(`ClickHouse is required in CI (${BIN} is missing)`);
  return `ClickHouse is not installed (${BIN}); apt-get install clickhouse-server`;
}

export interface TestClickHouse {
  /** HTTP port on 127.0.0.1. */
  port: number;
  /** The login the store connects as (password protected, unlike `default`). */
  user: string;
  password: string;
  /** Runs SQL as `default` over HTTP and returns the response text (throws on an error status). */
  admin: (text: string) => Promise<string>;
  stop: () => Promise<void>;
}

const PASSWORD = 'pulse-events-pw';

/** A single-node server sized for a small shared machine: small caches, bounded memory, every path in `dir`. */
function configXml(dir: string, ports: { http: number; tcp: number; interserver: number }): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
  <background_pool_size>2</background_pool_size>
  <background_schedule_pool_size>2</background_schedule_pool_size>
  <mlock_executable>false</mlock_executable>
  <max_server_memory_usage>1073741824</max_server_memory_usage>
</yandex>
`;
}

function usersXml(): string {
  const profile = `<max_memory_usage>1000000000</max_memory_usage><max_threads>2</max_threads>`;
  const localOnly = `<networks><ip>127.0.0.1</ip></networks>`;
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default>${profile}</default></profiles>
  <users>
    <default><password></password>${localOnly}<profile>default</profile><quota>default</quota></default>
    <pulse><password>${PASSWORD}</password>${localOnly}<profile>default</profile><quota>default</quota></pulse>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
}

/**
 * A real clickhouse-server with a generated config in a temporary directory, on free ports of 127.0.0.1;
 * ready once its HTTP /ping answers. Runs as whichever user starts it (root included).
 */
export async function startClickHouse(): Promise<TestClickHouse> {
  const dir = temporaryDirectory('pulse-ch-');
  for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
  const ports = { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
  writeFileSync(join(dir, 'config.xml'), configXml(dir, ports));
  writeFileSync(join(dir, 'users.xml'), usersXml());
  const server: ChildProcess = spawn(BIN, [`--config-file=${join(dir, 'config.xml')}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    server.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  // One keep-alive client of our own, closed before the server stops: ClickHouse's graceful stop waits for
  // every idle keep-alive connection to time out (10 s), so no connection of ours may outlive the suite.
  const client = createClient({
    url: `http://127.0.0.1:${ports.http}`,
    username: 'default',
    log: { level: ClickHouseLogLevel.OFF },
  });
  // Poll /ping (the server has no readiness signal on stdout); give up when the process dies.
  for (let attempt = 0; ; attempt++) {
    if (exitCode !== undefined) {
      await client.close();
      throw new Error(`clickhouse-server exited (${exitCode}) before it was ready:\n${stderr}`);
    }
    if ((await client.ping()).success) break;
    if (attempt > 600) {
      await client.close();
      server.kill('SIGKILL');
      await exited;
      throw new Error(`clickhouse-server did not answer /ping within a minute:\n${stderr}`);
    }
    await delay(100);
  }
  const admin = async (text: string) => {
    const { stream } = await client.exec({ query: text });
    let body = '';
    for await (const chunk of stream) body += String(chunk);
    return body;
  };
  return {
    port: ports.http,
    user: 'pulse',
    password: PASSWORD,
    admin,
    stop: async () => {
      await client.close();
      if (exitCode === undefined) {
        server.kill('SIGTERM');
        await exited;
      }
    },
  };
}

let databases = 0;

/** A fresh, empty database as PULSE_STORE_URL names it (clickhouse://pulse:…@127.0.0.1:port/db). */
export async function createEventDatabase(clickhouse: TestClickHouse): Promise<string> {
  const name = `pulse_events_${process.pid}_${++databases}`;
  await clickhouse.admin(`CREATE DATABASE ${name}`);
  return `clickhouse://${clickhouse.user}:${clickhouse.password}@127.0.0.1:${clickhouse.port}/${name}`;
}

export interface SuiteClickHouse {
  /** The suite's running server (started before its first test). */
  readonly server: TestClickHouse;
  /** A fresh, empty database on the suite's server, as PULSE_STORE_URL names it. */
  freshDatabase(): Promise<string>;
}

/**
 * A describe block with one real ClickHouse started for it and stopped after it: its tests share the server,
 * each on a database of its own. Skipped, with the reason in its name, where ClickHouse is not installed
 * outside CI.
 */
export function describeWithClickHouse(name: string, suite: (clickhouse: SuiteClickHouse) => void): void {
  const unavailable = clickhouseUnavailable();
  describe.skipIf(unavailable !== null)(unavailable ? `${name} (${unavailable})` : name, () => {
    let server: TestClickHouse | undefined;
    beforeAll(async () => {
      server = await startClickHouse();
    }, 120_000);
    afterAll(async () => server?.stop());
    const clickhouse: SuiteClickHouse = {
      get server() {
        if (!server) throw new Error('ClickHouse is not started yet (use it inside a test or hook)');
        return server;
      },
      freshDatabase: () => createEventDatabase(clickhouse.server),
    };
    suite(clickhouse);
  });
}
