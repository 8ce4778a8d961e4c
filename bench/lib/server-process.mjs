// Starts `pulse serve` in its own process (as an operator would) and waits until it answers.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ownBin = new URL('../../packages/server/bin/pulse.js', import.meta.url).pathname;

/** `bin`: another build's bin/pulse.js (an A/B of two builds); default this checkout's. */
export async function startPulse({
  port,
  env = {},
  dataDir = mkdtempSync(join(tmpdir(), 'pulse-bench-')),
  bin = ownBin,
}) {
  const child = spawn(
    process.execPath,
    // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=prof' profiles the server (NODE_OPTIONS refuses --cpu-prof).
    [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      bin,
      'serve',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ],
    {
      env: { ...process.env, PULSE_LOG_LEVEL: 'warn', PULSE_ADMIN_KEY: 'bench-admin-key', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok)
        return { url, dataDir, child, adminKey: 'bench-admin-key', stop: () => stop(child) };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('pulse serve did not become ready');
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}
