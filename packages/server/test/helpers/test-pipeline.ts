import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { openPipeline, type Edges } from '../../src/main.js';

/**
 * Pulse's own composition (main.ts openPipeline: storage, stream, pipeline) on a real DuckDB file in a
 * temp dir, for tests that add their parts (e.g. an alert system with its own clock) on top; `env` adds
 * settings, `edges` replaces parts at the process's edge (e.g. the ingest log's writer).
 */
export async function openTestPipeline(
  dir = mkdtempSync(join(tmpdir(), 'pulse-test-')),
  env: Record<string, string> = {},
  edges: Edges = {},
) {
  const config = loadConfig({
    env: { PULSE_DATA_DIR: dir, PULSE_COMMIT_INTERVAL_MS: '1', ...env },
    file: null,
  });
  return openPipeline(config, pino({ level: 'error' }), edges);
}
