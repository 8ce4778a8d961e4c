import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isSegmentName } from './log-segments.js';

/** The id of a log written before logs had ids: it keeps the position stored for it before. */
export const UNNAMED_LOG_ID = 'unnamed';

const ID_FILE = 'journal-id';

/** Writes a file and its directory entry durably (a crash leaves the old content or the new, whole). */
function writeDurably(dir: string, name: string, text: string): void {
  const temporary = join(dir, `${name}.tmp`);
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, join(dir, name));
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * A log directory's id (the ingest log's, an alert journal's), created once in it, so a store shared by
 * several processes keeps each one's position apart. A directory holding records but no id was written
 * before logs had ids: it keeps the position it had (UNNAMED_LOG_ID), so nothing is replayed twice or skipped.
 */
export function logIdOf(dir: string): string {
  const file = join(dir, ID_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const id = readdirSync(dir).some(isSegmentName) ? UNNAMED_LOG_ID : randomUUID();
  writeDurably(dir, ID_FILE, id);
  return id;
}
