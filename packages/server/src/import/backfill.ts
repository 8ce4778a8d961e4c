import {
  checkpointPath,
  readCheckpoint,
  writeCheckpoint,
  type BackfillSource,
  type Checkpoint,
} from './checkpoint.js';
import { countQuery, pageQuery, type HogQL } from './hogql.js';
import { QueryApiError, type QueryResult } from './posthog-query-api.js';
import { nextKeyset, pageEvents, type BatchEvent } from './posthog-rows.js';

/** Where a page goes: a capture batch body (JSON text) in, how many of its events were quarantined out. */
export type CaptureSink = (body: string) => Promise<{ quarantined: number }>;

/** The most events one page may ask for: capture's cap on events in one request. */
export const MAX_PAGE_SIZE = 10_000;
/** A page is sent in batch bodies of at most this many bytes, well under capture's 20 MiB request cap. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface BackfillOptions {
  source: BackfillSource;
  dataDir: string;
  pageSize: number;
  /** Ignore a checkpoint left by an earlier run and read the range from its start. */
  restart: boolean;
  /** The token the batch bodies carry (capture checks it as for any SDK). */
  token: string;
  query: (hogql: HogQL) => Promise<QueryResult>;
  sink: CaptureSink;
  /** Told once the range is counted (total, and how many an earlier run imported), then after each page. */
  onStart?: (checkpoint: Checkpoint) => void;
  onPage?: (checkpoint: Checkpoint) => void;
}

export interface BackfillResult {
  checkpoint: Checkpoint;
  file: string;
  /** The range was imported whole by an earlier run: nothing was read. */
  alreadyComplete: boolean;
  /** What this run read. */
  read: number;
}

/** Capture batch bodies for a page, each under the byte cap (one event per body at worst). */
function batchBodies(events: readonly BatchEvent[], token: string): string[] {
  const head = `{"api_key":${JSON.stringify(token)},"historical_migration":true,"batch":[`;
  const bodies: string[] = [];
  let parts: string[] = [];
  let bytes = head.length;
  for (const event of events) {
    const text = JSON.stringify(event);
    const size = Buffer.byteLength(text) + 1;
    if (parts.length && bytes + size > MAX_BODY_BYTES) {
      bodies.push(`${head}${parts.join(',')}]}`);
      parts = [];
      bytes = head.length;
    }
    parts.push(text);
    bytes += size;
  }
  if (parts.length) bodies.push(`${head}${parts.join(',')}]}`);
  return bodies;
}

/**
 * Copies a PostHog project's events in a range into Pulse, page by page in (timestamp, uuid) keyset
 * order, through capture (validation, quarantine, dedup by uuid). After each stored page the checkpoint
 * moves on, so a failed run continues where it stopped; a re-read page stores nothing twice.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { source, pageSize } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new RangeError(`page size must be a whole number from 1 to ${MAX_PAGE_SIZE}; got ${pageSize}`);
  const file = checkpointPath(options.dataDir, source);
  const earlier = options.restart ? null : readCheckpoint(file);
  if (earlier?.complete) return { checkpoint: earlier, file, alreadyComplete: true, read: 0 };

  let checkpoint: Checkpoint = earlier ?? {
    source,
    after: null,
    imported: 0,
    quarantined: 0,
    total: 0,
    complete: false,
    updatedAt: new Date().toISOString(),
  };
  let read = 0;
  try {
    const counted = Number((await options.query(countQuery(source))).results[0]?.[0]);
    checkpoint = { ...checkpoint, total: Number.isFinite(counted) ? counted : 0 };
    options.onStart?.(checkpoint);
    while (!checkpoint.complete) {
      const events = pageEvents(await options.query(pageQuery(source, checkpoint.after, pageSize)), source);
      const after = nextKeyset(events, checkpoint.after);
      let quarantined = 0;
      for (const body of batchBodies(events, options.token))
        quarantined += (await options.sink(body)).quarantined;
      read += events.length;
      checkpoint = {
        ...checkpoint,
        after,
        imported: checkpoint.imported + events.length,
        quarantined: checkpoint.quarantined + quarantined,
        // A short page is the last: the range holds nothing after it.
        complete: events.length < pageSize,
        updatedAt: new Date().toISOString(),
      };
      writeCheckpoint(file, checkpoint);
      options.onPage?.(checkpoint);
    }
  } catch (error) {
    if (checkpoint.imported === 0) throw error;
    const position = checkpoint.after
      ? `after ${checkpoint.after.timestamp} (uuid ${checkpoint.after.uuid})`
      : 'from the start of the range';
    const next =
      error instanceof QueryApiError && !error.resumable
        ? 'once that is fixed, the same command resumes'
        : 'run the same command again to resume';
    throw new Error(
      `${(error as Error).message}\n${checkpoint.imported.toLocaleString('en-US')} events imported so far are kept; ${next} ${position} (checkpoint ${file})`,
      { cause: error },
    );
  }
  return { checkpoint, file, alreadyComplete: false, read };
}
