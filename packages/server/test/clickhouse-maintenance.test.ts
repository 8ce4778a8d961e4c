import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as pulse } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// The offline rewrites of the embedded DuckDB file have nothing to rewrite when the events are in
// ClickHouse: they refuse, saying so, without connecting anywhere or echoing the URL's password.
describe('DuckDB-only maintenance with PULSE_STORE_URL=clickhouse://…', () => {
  const url = 'clickhouse://pulse:s3cret-pw@127.0.0.1:1/pulse';
  const keys = temporaryDirectory('pulse-ch-keys-');
  const [current, next] = [join(keys, 'current.key'), join(keys, 'next.key')];
  beforeAll(async () => {
    for (const file of [current, next])
      expect((await pulse({}, 'encryption', 'keygen', '--out', file)).code).toBe(0);
  });

  it.each([
    [['store', 'compact'], /compaction is for the embedded DuckDB store/],
    [
      ['encryption', 'rotate', '--new-key-file', next],
      /encryption maintenance is for the embedded DuckDB store/,
    ],
    [['encryption', 'status'], /encryption maintenance is for the embedded DuckDB store/],
  ])('pulse %j refuses', async (args, reason) => {
    const dataDir = temporaryDirectory('pulse-ch-maint-');
    const env = { PULSE_DATA_DIR: dataDir, PULSE_STORE_URL: url, PULSE_ENCRYPTION_KEY_FILE: current };
    const run = await pulse(env, ...args);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(reason);
    expect(run.stderr).toMatch(/PULSE_STORE_URL is clickhouse:\/\/…/);
    expect(run.stderr + run.stdout).not.toMatch(/s3cret-pw/);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
