import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { writeNewKeyFile } from '../src/encryption/key-file.js';
import { readEncryptionKeyFile } from '../src/encryption/key-file.js';
import { storeEncryptionMaintenance } from '../src/storage/open-storage.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { tableCounts } from './helpers/store-tables.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// Distinctive strings that must never appear on disk in the clear.
const tenant = 'tenant-zanzibar-quokka-4471';
const secretValue = 'marmalade-kestrel-9932';
const needles = [tenant, secretValue].map((s) => Buffer.from(s));
const token = 'phc_enc_test';

const keyIn = (dir: string, name = 'pulse.key') => {
  const file = join(dir, name);
  writeNewKeyFile(file);
  return file;
};
const encryptedEnv = (keyFile: string) => ({
  PULSE_PROJECT_TOKEN: token,
  PULSE_ENCRYPTION_KEY_FILE: keyFile,
  PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true',
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => join(dir, name))
    .filter((path) => existsSync(path) && statSync(path).isFile());
}

/** Every file under the dirs that holds one of the needles. */
function plaintextHits(dirs: string[]): string[] {
  const hits: string[] = [];
  for (const path of dirs.flatMap(filesUnder)) {
    const bytes = readFileSync(path);
    for (const needle of needles) if (bytes.includes(needle)) hits.push(`${path}: ${needle.toString()}`);
  }
  return hits;
}

function hashDir(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesUnder(dir).map((p) => [p, createHash('sha256').update(readFileSync(p)).digest('hex')]),
  );
}

const stagingDirs = () =>
  existsSync('/dev/shm')
    ? readdirSync('/dev/shm')
        .filter((n) => n.startsWith('pulse-staging-'))
        .map((n) => join('/dev/shm', n))
    : [];

async function ingest(server: TestServer, n: number): Promise<void> {
  const batch = Array.from({ length: n }, (_, i) =>
    i % 4 === 3
      ? {
          event: '$pageview',
          distinct_id: `visitor-${i}`,
          uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          properties: { tenant_id: tenant, $current_url: `https://${secretValue}.example/`, step: i },
        }
      : {
          event: 'revenue_impact_event',
          distinct_id: `user-${i}`,
          uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
          timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          properties: {
            tenant_id: tenant,
            impact_amount: 100 + i,
            impact_type: i % 2 ? 'positive' : 'negative',
            mitigation_actions: [secretValue],
          },
        },
  );
  // One invalid event, so the quarantine holds the tenant too.
  batch.push({
    ...batch[0]!,
    uuid: '01944f5a-0000-7000-8000-999999999999',
    properties: { tenant_id: tenant, impact_amount: -1, impact_type: secretValue, mitigation_actions: [] },
  });
  const response = await fetch(`${server.url}/batch/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch }),
  });
  expect(response.status).toBe(200);
}

interface Snapshot {
  events: { uuid: string; event: string; properties: Record<string, unknown> }[];
  quarantined: number;
  summary: unknown;
}

async function snapshot(server: TestServer): Promise<Snapshot> {
  const events = await server.api<{ events: Snapshot['events'] }>(`/api/events?tenant=${tenant}&limit=1000`);
  expect(events.status).toBe(200);
  const quarantine = await server.api<{ quarantined: unknown[] }>('/api/quarantine');
  const summary = await server.api<Record<string, unknown>>(
    `/api/summary?tenant=${tenant}&from=2025-12-01T00:00:00Z&to=2026-02-01T00:00:00Z`,
  );
  expect(summary.status).toBe(200);
  return {
    events: events.body.events.sort((a, b) => a.uuid.localeCompare(b.uuid)),
    quarantined: quarantine.body.quarantined.length,
    summary: stripVolatile(summary.body),
  };
}

/** The summary minus when it was computed. */
function stripVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/generated|restated|computed|elapsed|asOf|requestId/i.test(k))
        .map(([k, v]) => [k, stripVolatile(v)]),
    );
  return value;
}

async function refusal(env: Record<string, string>, dataDir: string): Promise<Error> {
  try {
    const server = await startTestServer(env, dataDir);
    await server.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the server started');
}

const quiet = { say: () => {}, progress: () => ({ update: () => {}, stop: () => {} }) };

describe('encryption at rest, end to end', () => {
  it('leaves no plaintext on disk, reopens with the key, refuses the wrong key or a missing opt-in untouched', async () => {
    const dataDir = temporaryDirectory('pulse-enc-e2e-');
    const keys = temporaryDirectory('pulse-enc-keys-');
    const keyFile = keyIn(keys);
    const stagingBefore = new Set(stagingDirs());

    const server = await startTestServer(encryptedEnv(keyFile), dataDir);
    // This server's RAM-backed staging dir is among these (other test processes may stage too).
    const staging = stagingDirs().filter((d) => !stagingBefore.has(d));
    expect(staging.length).toBeGreaterThan(0);
    await ingest(server, 200);
    const before = await snapshot(server);
    expect(before.events).toHaveLength(200);
    expect(before.quarantined).toBe(1);
    // While running (WAL not yet checkpointed) and after stopping: nothing in the clear.
    expect(plaintextHits([dataDir, ...staging])).toEqual([]);
    await server.close();
    expect(plaintextHits(staging)).toEqual([]); // each batch file deleted right after its statement
    expect(plaintextHits([dataDir])).toEqual([]);
    expect(existsSync(join(process.cwd(), '.tmp'))).toBe(false);

    const again = await startTestServer(encryptedEnv(keyFile), dataDir);
    expect(await snapshot(again)).toEqual(before);
    await again.close();

    const files = hashDir(dataDir);
    const wrong = await refusal(encryptedEnv(keyIn(keys, 'other.key')), dataDir);
    expect(wrong.message).toMatch(
      /is encrypted under a different key than the one in PULSE_ENCRYPTION_KEY_FILE .*other\.key/,
    );
    expect(wrong.message).toContain(join(dataDir, 'pulse.duckdb'));
    expect(hashDir(dataDir)).toEqual(files);

    const noKey = await refusal({ PULSE_PROJECT_TOKEN: token }, dataDir);
    expect(noKey.message).toMatch(/is an encrypted Pulse store, but PULSE_ENCRYPTION_KEY_FILE is not set/);
    expect(hashDir(dataDir)).toEqual(files);

    // No message carries a key (DuckDB receives it in the ATTACH statement; errors must not echo it).
    const secrets = [keyFile, join(keys, 'other.key')].map((f) => readFileSync(f, 'utf8').trim());
    for (const message of [wrong.message, noKey.message])
      for (const secret of secrets) expect(message).not.toContain(secret);

    const noOptIn = await refusal({ PULSE_ENCRYPTION_KEY_FILE: keyFile }, dataDir);
    expect(noOptIn.message).toContain('PULSE_DUCKDB_EXTENSION_DIR');
    expect(noOptIn.message).toContain('PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS=true');
    expect(hashDir(dataDir)).toEqual(files);
    for (const secret of secrets) expect(noOptIn.message).not.toContain(secret);
  });

  it('rotate keeps every event (counts per table, summary) and the old key no longer opens the store', async () => {
    const dataDir = temporaryDirectory('pulse-enc-rotate-');
    const keys = temporaryDirectory('pulse-enc-keys-');
    const oldKey = keyIn(keys, 'old.key');
    const newKey = keyIn(keys, 'new.key');
    const server = await startTestServer(encryptedEnv(oldKey), dataDir);
    await ingest(server, 120);
    const before = await snapshot(server);
    await server.close();
    const path = join(dataDir, 'pulse.duckdb');
    const oldBytes = readEncryptionKeyFile(oldKey).bytes;
    const newBytes = readEncryptionKeyFile(newKey).bytes;
    const countsBefore = await tableCounts(path, oldBytes);
    expect(Object.values(countsBefore).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);

    const config = loadConfig({ env: { PULSE_DATA_DIR: dataDir, ...encryptedEnv(oldKey) }, file: null });
    const result = await storeEncryptionMaintenance(config).rewrite({
      from: { bytes: oldBytes, source: oldKey },
      to: { bytes: newBytes, source: newKey },
      keepSuffix: '.pre-rotate',
      ...quiet,
    });
    expect(result.rows).toBe(Object.values(countsBefore).reduce((a, b) => a + b, 0));
    expect(await tableCounts(path, newBytes)).toEqual(countsBefore);
    await expect(tableCounts(path, oldBytes)).rejects.toThrow(/Wrong encryption key/);
    expect(readdirSync(dataDir).filter((n) => /pre-rotate|rewrite-new|\.wal$/.test(n))).toEqual([]);
    expect(plaintextHits([dataDir])).toEqual([]);

    const after = await startTestServer(encryptedEnv(newKey), dataDir);
    expect(await snapshot(after)).toEqual(before);
    await after.close();
    const stale = await refusal(encryptedEnv(oldKey), dataDir);
    expect(stale.message).toMatch(/different key/);
  });

  it('encrypt turns a plaintext store into an encrypted one with every event kept', async () => {
    const dataDir = temporaryDirectory('pulse-enc-encrypt-');
    const keyFile = keyIn(temporaryDirectory('pulse-enc-keys-'));
    const plain = await startTestServer({ PULSE_PROJECT_TOKEN: token }, dataDir);
    await ingest(plain, 120);
    const before = await snapshot(plain);
    await plain.close();
    const path = join(dataDir, 'pulse.duckdb');
    expect(plaintextHits([dataDir]).length).toBeGreaterThan(0); // the plaintext store really is readable
    const countsBefore = await tableCounts(path, null);

    const config = loadConfig({
      env: { PULSE_DATA_DIR: dataDir, PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true' },
      file: null,
    });
    const key = readEncryptionKeyFile(keyFile).bytes;
    const steps: string[] = [];
    await storeEncryptionMaintenance(config).rewrite({
      from: null,
      to: { bytes: key, source: keyFile },
      keepSuffix: '.pre-encrypt',
      say: (line) => steps.push(line),
      progress: quiet.progress,
    });
    expect(steps.some((s) => s.startsWith('verifying'))).toBe(true);
    expect(await tableCounts(path, key)).toEqual(countsBefore);
    await expect(tableCounts(path, null)).rejects.toThrow(/without a key/);
    expect(plaintextHits([dataDir])).toEqual([]);

    const after = await startTestServer(encryptedEnv(keyFile), dataDir);
    expect(await snapshot(after)).toEqual(before);
    await after.close();
  });
});
