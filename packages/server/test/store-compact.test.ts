import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeNewKeyFile, readEncryptionKeyFile } from '../src/encryption/key-file.js';
import type { CompactResult } from '../src/encryption/store-maintenance.js';
import type { CapturedEvent } from '../src/ingestion/captured-event.js';
import { journalId, openAlertJournal } from '../src/alerts/journal.js';
import { DuckDbAlertStore } from '../src/storage/duckdb/duckdb-alert-store.js';
import { IngestLog } from '../src/ingestion/ingest-log.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { tableFacts } from './helpers/store-tables.js';
import { holdDuckDbFile, runCli as pulse } from './helpers/run-cli.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// The rows retention would delete: their tenant must be gone from the disk after compaction.
const erased = 'tenant-erase-me-7f3a';
const kept = 'tenant-keep-heron';

const event = (i: number, tenant: string): CapturedEvent => ({
  uuid: `01944f5a-0000-7000-8000-${String(i).padStart(12, '0')}`,
  event: i % 3 ? 'revenue_impact_event' : 'signup_clicked',
  distinctId: `user-${i}`,
  timestamp: Date.UTC(2026, 0, 1) + i * 1000,
  properties: { tenant_id: tenant, impact_amount: i, impact_type: 'positive', note: `${tenant}-${i}` },
});

/** A store with `n` events of the kept tenant and `3n` of the one to erase, interleaved in every batch. */
async function seedStore(path: string, n: number, encryption?: { key: Buffer; keySource: string }) {
  const store = await DuckDbEventStore.open({
    path,
    encryption: encryption && { ...encryption, allowUnsafeMbedtls: true },
  });
  for (let batch = 0; batch < 4; batch++)
    await store.commit({
      events: Array.from({ length: n }, (_, j) => {
        const i = batch * n + j;
        return event(i, i % 4 === 0 ? kept : erased);
      }),
      quarantined: [],
      releasedQuarantineIds: [],
      ingestedAt: Date.now(),
    });
  return store;
}

/** Deletes the tenant's rows from every table that has a tenant_id, then checkpoints (as retention does). */
async function deleteTenant(store: DuckDbEventStore, tenant: string): Promise<void> {
  const c = await store.connect();
  const tables = (
    await c.runAndReadAll(
      `SELECT table_name FROM duckdb_columns() JOIN duckdb_tables() USING (database_name, schema_name, table_name)
       WHERE column_name = 'tenant_id' AND database_name = current_database()`,
    )
  ).getRowObjectsJS();
  for (const t of tables)
    await c.run(`DELETE FROM "${t.table_name as string}" WHERE tenant_id = '${tenant}'`);
  await c.run('CHECKPOINT');
  c.closeSync();
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => join(dir, name))
    .filter((p) => statSync(p).isFile() && readFileSync(p).includes(needle));
}

describe('pulse store compact', () => {
  const children: { kill: () => void }[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill();
  });

  it('rewrites a plaintext store: deleted rows leave the file, every remaining table verifies', async () => {
    const dataDir = temporaryDirectory('pulse-compact-');
    const path = join(dataDir, 'pulse.duckdb');
    const store = await seedStore(path, 10_000);
    await deleteTenant(store, erased);
    await store.close();
    // The problem: DuckDB keeps the deleted rows in free blocks until it reuses them.
    expect(filesHolding(dataDir, erased)).toEqual([path]);
    const facts = await tableFacts(path, null);
    const size = statSync(path).size;

    const run = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/creating .*pulse\.duckdb\.rewrite-new \(plaintext, as the store is\)/);
    expect(run.stderr).toMatch(/verifying: row count and a digest/);
    expect(run.stdout).toMatch(
      /^compacted .*pulse\.duckdb: [\d.]+ [kM]B → [\d.]+ [kM]B \(−\d+ %\), 10,000 rows in \d+ tables, verified, [\d.]+ s\n$/,
    );

    expect(filesHolding(dataDir, erased)).toEqual([]);
    expect(filesHolding(dataDir, kept)).toEqual([path]);
    expect(statSync(path).size).toBeLessThan(size);
    expect(await tableFacts(path, null)).toEqual(facts);
    expect(readdirSync(dataDir).sort()).toEqual(['pulse.duckdb']);

    // Once more, as JSON: the result object. Sizes are reported, not compared across runs: DuckDB's layout
    // of the same rows varies with how its threads interleave the copy.
    const compactSize = statSync(path).size;
    const again = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact', '--json');
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as CompactResult;
    expect(result).toMatchObject({ file: path, encrypted: false, rows: 10_000, crypto: null });
    expect(result.bytesBefore).toBe(compactSize);
    expect(result.bytesAfter).toBe(statSync(path).size);
    expect(result.tables.length).toBe(Object.keys(facts).length);
  });

  it('keeps an encrypted store encrypted under the same key', async () => {
    const dataDir = temporaryDirectory('pulse-compact-enc-');
    const keys = temporaryDirectory('pulse-compact-keys-');
    const [keyFile, other] = [join(keys, 'pulse.key'), join(keys, 'other.key')];
    for (const file of [keyFile, other]) writeNewKeyFile(file);
    const key = readEncryptionKeyFile(keyFile).bytes;
    const path = join(dataDir, 'pulse.duckdb');
    const store = await seedStore(path, 2_000, { key, keySource: keyFile });
    await deleteTenant(store, erased);
    await store.close();
    const facts = await tableFacts(path, key);
    const env = {
      PULSE_DATA_DIR: dataDir,
      PULSE_ENCRYPTION_KEY_FILE: keyFile,
      PULSE_ENCRYPTION_ALLOW_UNSAFE_MBEDTLS: 'true',
    };

    const run = await pulse(env, 'store', 'compact', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ encrypted: true, rows: 2_000, crypto: 'mbedtls-unsafe' });
    expect(run.stderr).toMatch(/encrypted with AES-256-GCM under PULSE_ENCRYPTION_KEY_FILE/);
    expect(await tableFacts(path, key)).toEqual(facts);
    await expect(tableFacts(path, null)).rejects.toThrow(/without a key/);
    expect(filesHolding(dataDir, kept)).toEqual([]);

    // Without the key, or with another, it refuses and changes nothing.
    const before = readFileSync(path);
    const noKey = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/is an encrypted Pulse store, but PULSE_ENCRYPTION_KEY_FILE is not set/);
    const wrong = await pulse({ ...env, PULSE_ENCRYPTION_KEY_FILE: other }, 'store', 'compact');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /is encrypted under a different key than the one in PULSE_ENCRYPTION_KEY_FILE/,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dataDir).sort()).toEqual(['pulse.duckdb']);
  });

  it('refuses while another process (a server) holds the store, changing nothing', async () => {
    const dataDir = temporaryDirectory('pulse-compact-lock-');
    const path = join(dataDir, 'pulse.duckdb');
    await (await seedStore(path, 100)).close();
    const before = readFileSync(path);
    children.push(await holdDuckDbFile(`ATTACH '${path}' AS s`));

    const run = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/in use by another process \(PID \d+\).*Stop it.*Nothing was changed/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dataDir).sort()).toEqual(['pulse.duckdb']);
  });

  it('refuses while the ingest log holds acknowledged events not yet loaded, and without a store', async () => {
    const dataDir = temporaryDirectory('pulse-compact-log-');
    const path = join(dataDir, 'pulse.duckdb');
    const missing = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no store at .*pulse\.duckdb, so nothing to compact/);

    await (await seedStore(path, 100)).close();
    // An acknowledged record the store never loaded (its ingest_log_state is at 0): Pulse stopped uncleanly.
    const { log } = await IngestLog.open({ dir: join(dataDir, 'ingest-log'), cipher: null, from: 0 });
    await log.append(Buffer.from('{"events":[]}'));
    await log.close();
    const before = readFileSync(path);

    const run = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /the ingest log \(.*ingest-log\) holds \d+ bytes of acknowledged events not yet/,
    );
    expect(run.stderr).toMatch(/Start Pulse once .* Nothing was changed/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}.rewrite-new`)).toBe(false);
    expect(readdirSync(join(dataDir, 'ingest-log'))).toHaveLength(1);
  });

  it('refuses while the alert journal holds notified changes the store lacks', async () => {
    const dataDir = temporaryDirectory('pulse-compact-journal-');
    const path = join(dataDir, 'pulse.duckdb');
    const events = await seedStore(path, 100);
    await (await DuckDbAlertStore.open(events)).close(); // the alert tables, journal stored up to 0
    await events.close();
    // Journaled (and so maybe already notified), never stored: Pulse was killed in between.
    const { journal } = await openAlertJournal({
      dir: join(dataDir, 'alert-journal'),
      id: journalId(join(dataDir, 'alert-journal')),
      cipher: null,
      stored: 0,
    });
    await journal.append({ alerts: [], transitions: [], deliveries: [] });
    await journal.close();
    const before = readFileSync(path);

    const run = await pulse({ PULSE_DATA_DIR: dataDir }, 'store', 'compact');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /the alert journal \(.*alert-journal\) holds \d+ bytes of notified alert changes/,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
