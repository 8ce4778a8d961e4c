import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { runEventStoreContract } from '../src/storage/event-store.contract.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import {
  inspectDuckDbFile,
  StoreOpenError,
  type DuckDbEncryptionOptions,
} from '../src/storage/duckdb/open-database.js';
import { StagingArea } from '../src/storage/duckdb/staging.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

const unsafe = (key: Buffer): DuckDbEncryptionOptions => ({
  key,
  keySource: 'test key',
  allowUnsafeMbedtls: true,
});

/** sha256 of every file under dir: "touch nothing" means this does not change. */
export function fingerprintDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

const event = (i: number, tenant: string): CapturedEvent => ({
  uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
  event: 'revenue_impact_event',
  distinctId: `user-${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i * 1000,
  properties: { tenant_id: tenant, impact_amount: i, impact_type: 'positive', note: 'okapi-saffron' },
});

const batch = (events: CapturedEvent[]) => ({
  events,
  quarantined: [],
  releasedQuarantineIds: [],
  ingestedAt: Date.now(),
});

runEventStoreContract('duckdb (encrypted file, AES-256-GCM)', (dir) =>
  DuckDbEventStore.open({ path: join(dir, 'events.duckdb'), encryption: unsafe(randomBytes(32)) }),
);

describe('an encrypted DuckDB store', () => {
  const opened: DuckDbEventStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const open = async (path: string, encryption: DuckDbEncryptionOptions | null) => {
    const store = await DuckDbEventStore.open({ path, encryption });
    opened.push(store);
    return store;
  };
  const fresh = () => join(temporaryDirectory('pulse-enc-open-'), 'pulse.duckdb');

  it('is AES-256-GCM, and every connection it hands out defaults to the encrypted catalog', async () => {
    const path = fresh();
    const store = await open(path, unsafe(randomBytes(32)));
    expect(store.encryption).toMatchObject({ cipher: 'GCM', crypto: 'mbedtls-unsafe' });
    for (const connection of [store.readConnection, await store.connect(), await store.connect()]) {
      const [row] = (
        await connection.runAndReadAll(
          `SELECT current_database() AS db, current_setting('temp_file_encryption') AS tfe, current_setting('temp_directory') AS td`,
        )
      ).getRowObjectsJS();
      expect(row).toEqual({ db: 'pulse', tfe: true, td: `${path}.tmp` });
    }
    // Tables created through a store connection land in the encrypted file, not the in-memory catalog.
    const other = await store.connect();
    await other.run('CREATE TABLE IF NOT EXISTS probe_table (x INTEGER)');
    const [where] = (
      await other.runAndReadAll(`SELECT database_name FROM duckdb_tables() WHERE table_name = 'probe_table'`)
    ).getRowObjectsJS();
    expect(where).toEqual({ database_name: 'pulse' });
    expect(inspectDuckDbFile(path)).toBe('encrypted');
    expect(existsSync(join(process.cwd(), '.tmp'))).toBe(false);
  });

  it('spills to <file>.tmp, encrypted: no plaintext in any spill file while a large sort runs', async () => {
    const path = fresh();
    const store = await open(path, unsafe(randomBytes(32)));
    const c = await store.connect();
    await c.run(`SET memory_limit = '60MB'`);
    await c.run('SET threads = 1');
    await c.run('SET preserve_insertion_order = false');
    await c.run(
      `CREATE TABLE spill_probe AS SELECT 'tenant-spill-needle-' || (range % 1000)::VARCHAR || repeat('x', 50) AS s, random() AS r FROM range(1500000)`,
    );
    const seen = new Set<string>();
    const hits: string[] = [];
    const poll = setInterval(() => {
      if (!existsSync(`${path}.tmp`)) return;
      for (const f of readdirSync(`${path}.tmp`)) {
        try {
          seen.add(f);
          if (readFileSync(join(`${path}.tmp`, f)).includes('tenant-spill-needle')) hits.push(f);
        } catch {
          // deleted between readdir and read
        }
      }
    }, 20);
    try {
      await c.run('CREATE TABLE spill_sorted AS SELECT * FROM spill_probe ORDER BY r');
    } finally {
      clearInterval(poll);
    }
    expect(seen.size).toBeGreaterThan(0); // it did spill
    expect(hits).toEqual([]);
  });

  it('serves ad-hoc queries (temp views per connection) and tenant scopes as before', async () => {
    const store = await open(fresh(), unsafe(randomBytes(32)));
    await store.commit(batch([event(1, 'acme'), event(2, 'acme'), event(3, 'globex')]));
    const runner = store.queryRunner();
    const limits = { timeoutMs: 5_000, maxRows: 100, maxBytes: 1_000_000 };
    const all = await runner.run(
      'SELECT tenant_id, count(*) AS n FROM events GROUP BY 1 ORDER BY 1',
      'all',
      limits,
    );
    expect(all.rows).toEqual([
      ['acme', 2],
      ['globex', 1],
    ]);
    const scoped = await runner.run('SELECT count(*) AS n FROM events', ['globex'], limits);
    expect(scoped.rows).toEqual([[1]]);
    expect((await store.listEvents({ limit: 10 })).events).toHaveLength(3);
  });

  it('stages ingest batches only on a RAM-backed filesystem, and refuses without one', () => {
    const staging = StagingArea.open({ ramOnly: true });
    try {
      expect(statSync(staging.directory).mode & 0o777).toBe(0o700);
      const file = staging.write(['{"a":1}']);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      staging.close();
    }
    // A directory that is not a tmpfs (or does not exist) is never used for staging.
    const missing = join(temporaryDirectory('pulse-disk-'), 'not-a-tmpfs');
    expect(() => StagingArea.open({ ramOnly: true, candidates: [missing] })).toThrow(/RAM-backed filesystem/);
  });
});

describe('opening the wrong way round touches nothing', () => {
  const setup = async (encrypted: Buffer | null) => {
    const dir = temporaryDirectory('pulse-enc-refuse-');
    const path = join(dir, 'pulse.duckdb');
    const store = await DuckDbEventStore.open({ path, encryption: encrypted && unsafe(encrypted) });
    await store.commit(batch([event(1, 'tenant-okapi')]));
    await store.close();
    return { dir, path, before: fingerprintDir(dir) };
  };
  const refusal = async (path: string, encryption: DuckDbEncryptionOptions | null) => {
    try {
      const store = await DuckDbEventStore.open({ path, encryption });
      await store.close();
    } catch (error) {
      return error as StoreOpenError;
    }
    throw new Error('opened');
  };

  it('a wrong key: refused, file bytes unchanged', async () => {
    const { dir, path, before } = await setup(randomBytes(32));
    const error = await refusal(path, unsafe(randomBytes(32)));
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error.code).toBe('store_wrong_key');
    expect(error.message).toContain(path);
    expect(error.message).toContain('test key');
    expect(error.message).toContain('Nothing was changed');
    expect(fingerprintDir(dir)).toEqual(before);
  });

  it('an encrypted store without a key: refused, unchanged', async () => {
    const { dir, path, before } = await setup(randomBytes(32));
    const error = await refusal(path, null);
    expect(error.code).toBe('store_encrypted_no_key');
    expect(error.message).toMatch(/PULSE_ENCRYPTION_KEY_FILE is not set/);
    expect(fingerprintDir(dir)).toEqual(before);
  });

  it('a plaintext store with a key: refused, unchanged, pointing at `pulse encryption encrypt`', async () => {
    const { dir, path, before } = await setup(null);
    const error = await refusal(path, unsafe(randomBytes(32)));
    expect(error.code).toBe('store_not_encrypted');
    expect(error.message).toContain('pulse encryption encrypt');
    expect(fingerprintDir(dir)).toEqual(before);
  });

  it('no OpenSSL (httpfs) and no opt-in: refused naming both remedies, unchanged', async () => {
    const key = randomBytes(32);
    const { dir, path, before } = await setup(key);
    const empty = temporaryDirectory('pulse-ext-');
    mkdirSync(join(empty, 'unused'));
    for (const extensionDir of [undefined, empty]) {
      const error = await refusal(path, { key, keySource: 'k', allowUnsafeMbedtls: false, extensionDir });
      expect(error.code).toBe('crypto_unavailable');
      expect(error.message).toContain('PULSE_DUCKDB_EXTENSION_DIR');
      expect(error.message).toContain('PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS=true');
      expect(error.message).toContain('NOT securely encrypted');
      expect(fingerprintDir(dir)).toEqual(before);
    }
    // The right key with the opt-in still opens it: nothing was damaged.
    const store = await DuckDbEventStore.open({ path, encryption: unsafe(key) });
    expect(await store.countEvents()).toBe(1);
    await store.close();
  });
});
