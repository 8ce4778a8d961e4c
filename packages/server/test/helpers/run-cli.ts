import { spawn, type ChildProcess } from 'node:child_process';
import { vi } from 'vitest';
import { main } from '../../src/cli/index.js';

/** Runs `pulse …` in-process with the given environment; returns exit code, stdout and stderr. */
export async function runCli(env: Record<string, string>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  const consoleError = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    err.push(parts.join(' '));
  });
  try {
    const code = await main(['node', 'pulse', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    consoleError.mockRestore();
    vi.unstubAllEnvs();
  }
}

/**
 * Another process holding a DuckDB file, as `pulse serve` would: it runs `attachSql` (an ATTACH … AS s)
 * and resolves once it holds the file. Kill the returned child when done.
 */
export async function holdDuckDbFile(attachSql: string): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--input-type=module',
      '-e',
      `import { DuckDBInstance } from '@duckdb/node-api';
       const i = await DuckDBInstance.create(':memory:');
       const c = await i.connect();
       await c.run(${JSON.stringify(attachSql)});
       // The timer keeps i and c reachable: a collected instance closes its file and drops the lock.
       setInterval(() => [i, c], 1000);
       // Collect once the module has finished, then report: without the timer's references this lets go.
       setTimeout(() => { globalThis.gc(); setTimeout(() => console.log('holding'), 50); }, 0);`,
    ],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on('data', () => resolve());
    holder.on('exit', (code) =>
      reject(new Error(`the lock holder exited (${code}) before holding the file`)),
    );
  });
  return holder;
}
