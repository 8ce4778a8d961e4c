import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every test cleans up the temporary files it makes. To check it, a run's workers (and every process they
// start: the CLI, Chromium, DuckDB) get a fresh TMPDIR; it must be empty once all tests are done, else the run
// fails naming what was left. The directory is removed either way.

interface Run {
  dir: string;
  previous: string | undefined;
  projects: number;
}

// Each project's globalSetup calls this in the one main process: they share one directory.
const key = Symbol.for('pulse.test.tmpdir');
const state = globalThis as { [key]?: Run };

export default function guardTmpdir(): () => void {
  const run = (state[key] ??= {
    dir: mkdtempSync(join(tmpdir(), 'pulse-test-run-')),
    previous: process.env.TMPDIR,
    projects: 0,
  });
  run.projects++;
  process.env.TMPDIR = run.dir;
  return () => {
    if (--run.projects > 0) return;
    delete state[key];
    if (run.previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = run.previous;
    const left = readdirSync(run.dir);
    rmSync(run.dir, { recursive: true, force: true });
    if (!left.length) return;
    process.exitCode = 1; // vitest reports an error thrown here but would still exit 0
    throw new Error(
      `tests left ${left.length} entries in the temporary directory (each test must remove what it creates):\n` +
        left.map((name) => `  ${name}`).join('\n'),
    );
  };
}
