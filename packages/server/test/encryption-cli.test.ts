import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/index.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';

const event = (i: number): CapturedEvent => ({
  uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
  event: i % 2 ? 'revenue_impact_event' : 'signup_clicked',
  distinctId: `user-${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i * 1000,
  properties: { tenant_id: 'tenant-cli-heron', impact_amount: i, impact_type: 'positive' },
});

/** Runs `pulse …` in-process with the given environment; returns exit code, stdout and stderr. */
async function pulse(env: Record<string, string>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  const consoleError = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    err.push(parts.join(' '));
  });
  try {
    const code = await main(['node', 'pulse', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    consoleError.mockRestore();
    vi.unstubAllEnvs();
  }
}

describe('pulse encryption', () => {
  const children: { kill: () => void }[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill();
  });

  it('keygen, status, encrypt, rotate: every step said, the key never printed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pulse-enc-cli-'));
    const keys = mkdtempSync(join(tmpdir(), 'pulse-enc-cli-keys-'));
    const base = { PULSE_DATA_DIR: dataDir, PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true' };
    const k1 = join(keys, 'k1.key');
    const k2 = join(keys, 'k2.key');

    const gen = await pulse(base, 'encryption', 'keygen', '--out', k1, '--json');
    expect(gen.code).toBe(0);
    const { fingerprint } = JSON.parse(gen.stdout) as { fingerprint: string };
    expect(statSync(k1).mode & 0o777).toBe(0o600);
    const again = await pulse(base, 'encryption', 'keygen', '--out', k1);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite/);
    expect((await pulse(base, 'encryption', 'keygen', '--out', k2)).code).toBe(0);
    const secrets = [k1, k2].map((k) => readFileSync(k, 'utf8').trim());

    const store = await DuckDbEventStore.open({ path: join(dataDir, 'pulse.duckdb') });
    await store.commit({
      events: Array.from({ length: 50 }, (_, i) => event(i)),
      quarantined: [],
      releasedQuarantineIds: [],
      ingestedAt: Date.now(),
    });
    await store.close();

    const plain = await pulse(base, 'encryption', 'status', '--json');
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ exists: true, encrypted: false, keyFingerprint: null });

    const encrypt = await pulse(base, 'encryption', 'encrypt', '--key-file', k1);
    expect(encrypt.code).toBe(0);
    expect(encrypt.stderr).toMatch(/copying \d+ tables, 50 rows/);
    expect(encrypt.stderr).toMatch(/verifying: row count and a digest/);
    expect(encrypt.stdout).toContain(`PULSE_ENCRYPTION_KEY_FILE=${k1}`);

    const status1 = await pulse({ ...base, PULSE_ENCRYPTION_KEY_FILE: k1 }, 'encryption', 'status', '--json');
    expect(JSON.parse(status1.stdout)).toMatchObject({
      encrypted: true,
      cipher: 'GCM',
      keyOpens: true,
      keyFingerprint: fingerprint,
    });

    const rotate = await pulse(
      { ...base, PULSE_ENCRYPTION_KEY_FILE: k1 },
      'encryption',
      'rotate',
      '--new-key-file',
      k2,
      '--json',
    );
    expect(rotate.code).toBe(0);
    expect(JSON.parse(rotate.stdout)).toMatchObject({ rows: 50 });
    expect(rotate.stderr).toMatch(/pulse\.duckdb\.pre-rotate \(kept until the new file is verified\)/);
    const old = await pulse({ ...base, PULSE_ENCRYPTION_KEY_FILE: k1 }, 'encryption', 'status', '--json');
    expect(JSON.parse(old.stdout)).toMatchObject({ encrypted: true, keyOpens: false });
    const now = await pulse({ ...base, PULSE_ENCRYPTION_KEY_FILE: k2 }, 'encryption', 'status');
    expect(now.stdout).toMatch(/key opens store: yes/);

    for (const run of [gen, encrypt, status1, rotate, old, now])
      for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('rotate refuses while another process (a server) holds the store, changing nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pulse-enc-cli-lock-'));
    const keys = mkdtempSync(join(tmpdir(), 'pulse-enc-cli-keys-'));
    const base = { PULSE_DATA_DIR: dataDir, PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true' };
    const [k1, k2] = [join(keys, 'a.key'), join(keys, 'b.key')];
    await pulse(base, 'encryption', 'keygen', '--out', k1);
    await pulse(base, 'encryption', 'keygen', '--out', k2);
    const path = join(dataDir, 'pulse.duckdb');
    const key = Buffer.from(readFileSync(k1, 'utf8').trim(), 'hex');
    const store = await DuckDbEventStore.open({
      path,
      encryption: { key, keySource: k1, allowUnsafeMbedtls: true },
    });
    await store.close();
    const before = readFileSync(path);

    // Another process holds the file, as `pulse serve` would.
    const holder = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(':memory:');
         const c = await i.connect();
         await c.run("ATTACH '${path}' AS s (ENCRYPTION_KEY '${key.toString('hex')}', READ_ONLY)");
         // The timer keeps i and c reachable: a collected instance closes its file and drops the lock.
         setInterval(() => [i, c], 1000);
         // Collect once the module has finished, then report: without the timer's references this lets go.
         setTimeout(() => { globalThis.gc(); setTimeout(() => console.log('holding'), 50); }, 0);`,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(holder);
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));

    const rotate = await pulse(
      { ...base, PULSE_ENCRYPTION_KEY_FILE: k1 },
      'encryption',
      'rotate',
      '--new-key-file',
      k2,
    );
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(/in use by another process \(PID \d+\).*Stop it/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
