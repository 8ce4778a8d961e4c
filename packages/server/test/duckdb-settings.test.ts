import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { openStorage } from '../src/storage/open-storage.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// DuckDB's worker threads come from PULSE_DUCKDB_THREADS: with more threads than cores, the thread that
// issued a statement spins while another runs it, which costs ingest CPU per event (docs/adr/0002).
async function settingOf(env: Record<string, string>, name: string): Promise<string> {
  const dataDir = temporaryDirectory('pulse-threads-');
  const config = loadConfig({ env: { PULSE_DATA_DIR: dataDir, ...env }, file: null });
  const storage = await openStorage(config);
  try {
    if (!(storage.events instanceof DuckDbEventStore)) throw new Error('not the embedded store');
    const result = await storage.events.readConnection.run(`SELECT current_setting('${name}')::VARCHAR`);
    const [chunk] = await result.fetchAllChunks();
    return String(chunk?.getColumnVector(0).getItem(0));
  } finally {
    storage.logSink.close();
    await storage.audit.flush();
    await storage.alerts.close();
    await storage.events.close();
  }
}

describe('DuckDB thread setting', () => {
  it('is 1 by default and follows PULSE_DUCKDB_THREADS', async () => {
    expect(await settingOf({}, 'threads')).toBe('1');
    expect(await settingOf({ PULSE_DUCKDB_THREADS: '3' }, 'threads')).toBe('3');
  });

  it('refuses a value that is not a positive whole number, naming the key', () => {
    const dataDir = join(temporaryDirectory('pulse-threads-'), 'data');
    expect(() =>
      loadConfig({ env: { PULSE_DATA_DIR: dataDir, PULSE_DUCKDB_THREADS: '0' }, file: null }),
    ).toThrow(/PULSE_DUCKDB_THREADS/);
  });
});

// Fewer automatic checkpoints while events stream in: each rewrites every table's last row group (docs/adr/0002).
describe('DuckDB checkpoint threshold', () => {
  it('is 256 MiB by default and follows PULSE_DUCKDB_CHECKPOINT_THRESHOLD', async () => {
    expect(await settingOf({}, 'checkpoint_threshold')).toBe('256.0 MiB');
    expect(await settingOf({ PULSE_DUCKDB_CHECKPOINT_THRESHOLD: '64MiB' }, 'checkpoint_threshold')).toBe(
      '64.0 MiB',
    );
  });

  it('refuses a value that is not a size, naming the key', () => {
    const dataDir = join(temporaryDirectory('pulse-threads-'), 'data');
    expect(() =>
      loadConfig({ env: { PULSE_DATA_DIR: dataDir, PULSE_DUCKDB_CHECKPOINT_THRESHOLD: 'lots' }, file: null }),
    ).toThrow(/PULSE_DUCKDB_CHECKPOINT_THRESHOLD.*must be a size/);
  });
});
