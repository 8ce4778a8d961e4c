import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** How far the relay got: the start of the first record not wholly forwarded, and its events already sent. */
export interface RelayPosition {
  /** A record boundary of the ingest log. */
  position: number;
  /** Events of the record at `position` already acknowledged upstream (a split batch ends mid-record). */
  skip: number;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The relay's durable position in the ingest log, in its own small file: written to a temporary file,
 * fsynced, renamed over the old one and the directory fsynced, so after a crash it holds either the old or
 * the new position, never a mix. Saved only after the upstream acknowledged what it covers.
 */
export class RelayCursor {
  private constructor(
    private readonly file: string,
    private current: RelayPosition,
  ) {}

  /** Reads the saved position; a first start begins at `initial` (where the store's loader stands). */
  static open(dir: string, initial: number): RelayCursor {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'position.json');
    let saved: RelayPosition | null = null;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as RelayPosition;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`the relay position ${file} cannot be read: ${(error as Error).message}`, {
          cause: error,
        });
    }
    if (saved && !(Number.isSafeInteger(saved.position) && Number.isSafeInteger(saved.skip)))
      throw new Error(`the relay position ${file} is not {"position": n, "skip": n}`);
    const cursor = new RelayCursor(file, saved ?? { position: initial, skip: 0 });
    if (!saved) cursor.save(cursor.current);
    return cursor;
  }

  get value(): RelayPosition {
    return this.current;
  }

  save(next: RelayPosition): void {
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(next));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    fsyncPath(join(this.file, '..'));
    this.current = next;
  }
}
