import { describe, expect, it } from 'vitest';
import { startTestServer } from './helpers/pulse-server.js';

describe('PULSE_DUCKDB_CHECKPOINT_THRESHOLD', () => {
  it('starts a server with a size and refuses anything else, naming the key', async () => {
    const server = await startTestServer({ PULSE_DUCKDB_CHECKPOINT_THRESHOLD: '64MiB' });
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    await expect(startTestServer({ PULSE_DUCKDB_CHECKPOINT_THRESHOLD: 'lots' })).rejects.toThrow(
      /PULSE_DUCKDB_CHECKPOINT_THRESHOLD.*must be a size/,
    );
  });
});
