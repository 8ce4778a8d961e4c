import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './helpers/temp-dir.js';

const bin = fileURLToPath(new URL('../bin/pulse.js', import.meta.url));

describe('pulse serve, when its start fails', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('exits with status 1 and says why, instead of lingering without serving', async () => {
    const dataDir = temporaryDirectory('pulse-failed-start-');
    // The port is taken only once the store, the alert engine and the timers are open.
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
      {
        cwd: dataDir, // no stray ./pulse.config.json
        env: { HOME: homedir(), TMPDIR: tmpdir(), PULSE_LOG_LEVEL: 'error' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('EADDRINUSE');
  }, 60_000);
});
