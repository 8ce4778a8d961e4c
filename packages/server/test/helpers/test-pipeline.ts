import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { openPipeline, type Edges } from '../../src/main.js';
import { temporaryDirectory } from './temp-dir.js';

/**
 * Pulse's own composition (main.ts openPipeline: storage, stream, pipeline) on a real DuckDB file in a
 * temp dir, for tests that add their parts (e.g. an alert system with its own clock) on top; `env` adds
 * settings, `edges` replaces parts at the process's edge (e.g. the ingest log's writer).
 */
export async function openTestPipeline(
  dir = temporaryDirectory('pulse-test-'),
  env: Record<string, string> = {},
  edges: Edges = {},
) {
  const config = loadConfig({
    env: { PULSE_DATA_DIR: dir, PULSE_COMMIT_INTERVAL_MS: '1', ...env },
    file: null,
  });
  return openPipeline(config, pino({ level: 'error' }), edges);
}
