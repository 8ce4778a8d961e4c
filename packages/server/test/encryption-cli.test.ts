import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { holdDuckDbFile, runCli as pulse } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const event = (i: number): CapturedEvent => ({
  uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
  event: i % 2 ? 'revenue_impact_event' : 'signup_clicked',
  distinctId: `user-${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i * 1000,
  properties: { tenant_id: 'tenant-cli-heron', impact_amount: i, impact_type: 'positive' },
});

describe('pulse encryption', () => {
  const children: { kill: () => void }[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill();
  });

  it('keygen, status, encrypt, rotate: every step said, the key never printed', async () => {
    const dataDir = temporaryDirectory('pulse-enc-cli-');
    const keys = temporaryDirectory('pulse-enc-cli-keys-');
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

    // Summary rollups a plaintext server saved beside the store: tenants and amounts in the clear.
    const rollups = join(dataDir, 'summary-rollups.snapshot');
    writeFileSync(rollups, '{"tenants":[["tenant-cli-heron"]]}');
    // So are the alert rules' state (resources, decisions, amounts).
    const ruleState = join(dataDir, 'alert-rule-state.snapshot');
    writeFileSync(ruleState, 'tenant-cli-heron');
    const encrypt = await pulse(base, 'encryption', 'encrypt', '--key-file', k1);
    expect(encrypt.code).toBe(0);
    expect(existsSync(rollups)).toBe(false);
    expect(existsSync(ruleState)).toBe(false);
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
    const dataDir = temporaryDirectory('pulse-enc-cli-lock-');
    const keys = temporaryDirectory('pulse-enc-cli-keys-');
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
    children.push(
      await holdDuckDbFile(`ATTACH '${path}' AS s (ENCRYPTION_KEY '${key.toString('hex')}', READ_ONLY)`),
    );

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
