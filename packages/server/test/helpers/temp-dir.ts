import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A fresh directory in the temp dir (a data dir, a key file's home …), removed with everything in it once its
 * test file has finished: after the file's own afterAll hooks, so servers and stores are closed by then.
 */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Registered for every test file by test/setup/temp-dirs.ts. */
export function removeTemporaryDirectories(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
