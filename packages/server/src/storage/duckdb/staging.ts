import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * NDJSON files that DuckDB's C++ JSON reader bulk-loads (2–4× the JS appender, and off the event loop).
 * They live in RAM-backed /dev/shm when available and are deleted as soon as the statement ran.
 */
export class StagingArea {
  private readonly dir: string;
  private counter = 0;

  constructor() {
    let base = tmpdir();
    try {
      accessSync('/dev/shm', constants.W_OK);
      base = '/dev/shm';
    } catch {
      // no tmpfs here: the OS temp dir works the same, a little slower
    }
    this.dir = mkdtempSync(join(base, 'pulse-staging-'));
  }

  /** Writes NDJSON lines (already serialised) to a new staging file and returns its path. */
  write(lines: readonly string[]): string {
    const path = join(this.dir, `${++this.counter}.ndjson`);
    writeFileSync(path, lines.join('\n'));
    return path;
  }

  remove(path: string): void {
    rmSync(path, { force: true });
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
