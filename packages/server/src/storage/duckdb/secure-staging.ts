import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreOpenError } from './open-database.js';

// statfs(2) f_type of RAM-backed filesystems (linux/magic.h).
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;

/** Whether `dir` is on a RAM-backed filesystem (tmpfs/ramfs), i.e. its files never reach a disk (swap aside). */
export function isRamBacked(dir: string): boolean {
  try {
    const type = statfsSync(dir).type;
    return type === TMPFS_MAGIC || type === RAMFS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Staging for an encrypted store. Each commit hands DuckDB's JSON reader a short-lived NDJSON file of
 * plaintext events (see staging.ts); DuckDB cannot read a file Node encrypted, so instead these files
 * go only to a verified tmpfs, in a 0700 directory, mode 0600, and are deleted right after their
 * statement. Without a tmpfs the store refuses to open rather than stage plaintext on a disk.
 */
export class RamStagingArea {
  private counter = 0;

  private constructor(private readonly dir: string) {}

  static create(candidates: readonly string[] = defaultRamDirs()): RamStagingArea {
    const base = candidates.find(isRamBacked);
    if (base === undefined)
      throw new StoreOpenError(
        'staging_not_in_memory',
        `encryption is on, but none of ${candidates.join(', ')} is a RAM-backed filesystem (tmpfs): Pulse stages each ingest batch as a short-lived file for DuckDB's JSON reader and will not put it on a disk unencrypted. Mount a tmpfs at /dev/shm (Docker provides one; raise --shm-size for large batches). Nothing was changed.`,
      );
    return new RamStagingArea(mkdtempSync(join(base, 'pulse-staging-')));
  }

  /** Where the files go (for tests and `pulse encryption status`). */
  get directory(): string {
    return this.dir;
  }

  write(lines: readonly string[]): string {
    const path = join(this.dir, `${++this.counter}.ndjson`);
    writeFileSync(path, lines.join('\n'), { mode: 0o600 });
    return path;
  }

  remove(path: string): void {
    rmSync(path, { force: true });
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function defaultRamDirs(): string[] {
  const dirs = ['/dev/shm'];
  // systemd's per-user runtime dir is a tmpfs too.
  if (typeof process.getuid === 'function') dirs.push(`/run/user/${process.getuid()}`);
  return dirs;
}
