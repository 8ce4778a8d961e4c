import type { RecordCipher } from '../encryption/record-cipher.js';
// The ingest log is a generic fsynced, sealed, torn-tail-safe record log: the journal reuses it as is.
import { IngestLog } from '../ingestion/ingest-log.js';
import { logIdOf } from '../ingestion/log-id.js';
import type { AlertWrite } from '../storage/alert-store.js';

/**
 * Where a notified transition becomes durable before it reaches the store (ADR 0002's ingest log, applied
 * to alerts): one fsynced record per fast-lane batch, so a notification waits for an fsync of a few
 * kilobytes, not for a DuckDB commit that may queue behind a checkpoint of the event tables (measured:
 * p99 0.8–1 s from alert opened to webhook received under 12K events/s of background ingest).
 */
export interface AlertJournal {
  /** Names this journal's stored position in the store, which other processes' journals may share. */
  id: string;
  /** Appends a batch and fsyncs it; resolves with the position just past it. */
  append(batch: AlertWrite): Promise<number>;
  /** The store holds every batch before `stored`: their records may go. */
  release(stored: number): void;
  /** Closes; with `stored` at its end (a clean stop, everything stored), deletes the journal. */
  close(stored?: number): Promise<void>;
}

export interface OpenedJournal {
  journal: AlertJournal;
  /** Batches journaled but not stored when the last process ended, in order, with their end positions. */
  unstored: { batch: AlertWrite; end: number }[];
}

/** The journal's id, created once in its directory (see logIdOf). */
export const journalId = logIdOf;

export async function openAlertJournal(options: {
  dir: string;
  id: string;
  cipher: RecordCipher | null;
  /** How far the store holds the journal (AlertStore.journalStored). */
  stored: number;
}): Promise<OpenedJournal> {
  const { log, tail } = await IngestLog.open({
    dir: options.dir,
    cipher: options.cipher,
    from: options.stored,
    segmentBytes: 8 * 1024 * 1024,
  });
  return {
    journal: {
      id: options.id,
      append: async (batch) => (await log.append(Buffer.from(JSON.stringify(batch)))).end,
      release: (stored) => log.release(stored),
      close: (stored) => log.close(stored),
    },
    unstored: tail.map((entry) => ({
      batch: JSON.parse(entry.payload.toString('utf8')) as AlertWrite,
      end: entry.end,
    })),
  };
}
