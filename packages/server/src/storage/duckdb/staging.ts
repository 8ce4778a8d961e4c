import { accessSync, constants, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreOpenError } from './open-database.js';

// statfs(2) f_type of RAM-backed filesystems (linux/magic.h).
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;
const PREFIX = 'pulse-staging-';

/** Whether `dir` is on a RAM-backed filesystem (tmpfs/ramfs), i.e. its files never reach a disk (swap aside). */
export function isRamBacked(dir: string): boolean {
  try {
    const type = statfsSync(dir).type;
    return type === TMPFS_MAGIC || type === RAMFS_MAGIC;
  } catch {
    return false;
  }
}

function defaultRamDirs(): string[] {
  const dirs = ['/dev/shm'];
  // systemd's per-user runtime dir is a tmpfs too.
  if (typeof process.getuid === 'function') dirs.push(`/run/user/${process.getuid()}`);
  return dirs;
}

const writable = (dir: string) => {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, someone else's
  }
};

/** Staging dirs are named after their process; a dead process's dir (kill -9, crash) is removed. */
function sweepDead(base: string): void {
  for (const name of readdirSync(base)) {
    const pid = /^pulse-staging-(\d+)-/.exec(name)?.[1];
    if (pid && Number(pid) !== process.pid && !alive(Number(pid)))
      rmSync(join(base, name), { recursive: true, force: true });
  }
}

/**
 * NDJSON files that DuckDB's C++ JSON reader bulk-loads (2–4× the JS appender, and off the event loop),
 * each deleted right after its statement, in a 0700 directory with 0600 files.
 *
 * `ramOnly` (an encrypted store): DuckDB cannot read a file Node encrypted, so the plaintext batches go
 * only to a verified tmpfs, and without one the store refuses to open rather than stage on a disk.
 * Otherwise RAM-backed /dev/shm when it exists, else the OS temp dir.
 */
export class StagingArea {
  private counter = 0;

  private constructor(readonly directory: string) {}

  static open(options: { ramOnly: boolean; candidates?: readonly string[] }): StagingArea {
    const candidates = options.candidates ?? defaultRamDirs();
    const ram = candidates.find((dir) => isRamBacked(dir) && writable(dir));
    if (ram === undefined && options.ramOnly)
      throw new StoreOpenError(
        'staging_not_in_memory',
        `encryption is on, but none of ${candidates.join(', ')} is a RAM-backed filesystem (tmpfs): Pulse stages each ingest batch as a short-lived file for DuckDB's JSON reader and will not put it on a disk unencrypted. Mount a tmpfs at /dev/shm (Docker provides one; raise --shm-size for large batches). Nothing was changed.`,
      );
    const base = ram ?? tmpdir();
    sweepDead(base);
    return new StagingArea(mkdtempSync(join(base, `${PREFIX}${process.pid}-`)));
  }

  /** Writes NDJSON lines (already serialised) to a new staging file and returns its path. */
  write(lines: readonly string[]): string {
    const path = join(this.directory, `${++this.counter}.ndjson`);
    writeFileSync(path, lines.join('\n'), { mode: 0o600 });
    return path;
  }

  remove(path: string): void {
    rmSync(path, { force: true });
  }

  close(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
