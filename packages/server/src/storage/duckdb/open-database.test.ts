import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../test/helpers/temp-dir.js';
import { openDuckDb, type OpenedDuckDb } from './open-database.js';
import { readRows, sql } from './sql.js';

const opened: OpenedDuckDb[] = [];
afterEach(() => {
  for (const database of opened.splice(0)) database.instance.closeSync();
});

async function checkpointThreshold(options: { checkpointThreshold?: string }): Promise<unknown> {
  const database = await openDuckDb({
    path: join(temporaryDirectory('pulse-open-database-'), 'x.duckdb'),
    ...options,
  });
  opened.push(database);
  const connection = await database.connect();
  const [row] = await readRows(connection, sql`SELECT current_setting('checkpoint_threshold') AS t`);
  return row?.t;
}

describe('openDuckDb', () => {
  it("opens the instance with the configured checkpoint_threshold, else DuckDB's default", async () => {
    expect(await checkpointThreshold({ checkpointThreshold: '64MiB' })).toBe('64.0 MiB');
    expect(await checkpointThreshold({})).toBe('16.0 MiB');
  });
});
