import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventRange, Keyset } from './hogql.js';

/** What a backfill reads: one PostHog project's events in one range. Its checkpoint is keyed by all of it. */
export interface BackfillSource extends EventRange {
  /** The host's origin, e.g. https://us.posthog.com. */
  host: string;
  projectId: string;
}

/** How far a backfill got, written after each page is stored. */
export interface Checkpoint {
  source: BackfillSource;
  /** The last stored row; null before the first page. */
  after: Keyset | null;
  /** Events handed to Pulse so far (stored, quarantined or found to be duplicates). */
  imported: number;
  quarantined: number;
  /** The range's size when the run began (the progress bar's total). */
  total: number;
  complete: boolean;
  updatedAt: string;
}

/** `<dataDir>/imports/posthog-<digest>.json`: one file per host, project, range and event list. */
export function checkpointPath(dataDir: string, source: BackfillSource): string {
  const identity = JSON.stringify([
    source.host,
    source.projectId,
    source.from,
    source.to,
    [...new Set(source.events)].sort(),
  ]);
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 20);
  return join(dataDir, 'imports', `posthog-${digest}.json`);
}

export function readCheckpoint(path: string): Checkpoint | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
    if (typeof parsed.imported !== 'number' || typeof parsed.complete !== 'boolean')
      throw new Error('fields missing');
    return parsed;
  } catch (error) {
    throw new Error(
      `the checkpoint ${path} is unreadable (${(error as Error).message}); pass --restart to import the range from its start`,
      { cause: error },
    );
  }
}

/** Written whole or not at all: a temporary file, fsynced, renamed over the old one, the directory fsynced. */
export function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const next = `${path}.next`;
  const fd = openSync(next, 'w');
  try {
    writeSync(fd, `${JSON.stringify(checkpoint, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(next, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
