import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { DuckDbEventStore } from '../src/storage/duckdb/duckdb-event-store.js';
import { openStorage } from '../src/storage/open-storage.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// DuckDB's worker threads come from PULSE_DUCKDB_THREADS: with more threads than cores, the thread that
// issued a statement spins while another runs it, which costs ingest CPU per event (docs/adr/0002).
async function threadsOf(env: Record<string, string>): Promise<number> {
  const dataDir = temporaryDirectory('pulse-threads-');
  const config = loadConfig({ env: { PULSE_DATA_DIR: dataDir, ...env }, file: null });
  const storage = await openStorage(config);
  try {
    if (!(storage.events instanceof DuckDbEventStore)) throw new Error('not the embedded store');
    const result = await storage.events.readConnection.run("SELECT current_setting('threads') AS threads");
    const [chunk] = await result.fetchAllChunks();
    return Number(chunk?.getColumnVector(0).getItem(0));
  } finally {
    storage.logSink.close();
    await storage.audit.flush();
    await storage.alerts.close();
    await storage.events.close();
  }
}

describe('DuckDB thread setting', () => {
  it('is 1 by default and follows PULSE_DUCKDB_THREADS', async () => {
    expect(await threadsOf({})).toBe(1);
    expect(await threadsOf({ PULSE_DUCKDB_THREADS: '3' })).toBe(3);
  });

  it('refuses a value that is not a positive whole number, naming the key', () => {
    const dataDir = join(temporaryDirectory('pulse-threads-'), 'data');
    expect(() =>
      loadConfig({ env: { PULSE_DATA_DIR: dataDir, PULSE_DUCKDB_THREADS: '0' }, file: null }),
    ).toThrow(/PULSE_DUCKDB_THREADS/);
  });
});
