import type { CapturedEvent } from './captured-event.js';
import type { QuarantinedEvent } from '../storage/event-store.js';

/** Rows of one store table, already encoded by the sink (`encode`), newline-terminated. */
export interface TableRows {
  table: string;
  rows: number;
  bytes: Buffer;
}

/** What one load writes: table rows (in byte ranges of several log records) plus quarantine changes. */
export interface LoadBatch {
  tables: { table: string; rows: number; parts: Buffer[] }[];
  /** Per log record, in log order: quarantine upserts then released ids (replays). */
  quarantine: { quarantined: QuarantinedEvent[]; released: string[] }[];
}

/**
 * The store's side of the ingest log (ADR 0002): it encodes events in its own bulk-load row format when they
 * are logged (so the loader does no per-event JS), and applies batches together with the log position they
 * reach in one transaction, so a restart replays exactly the unloaded tail.
 */
export interface LogSink {
  /** The target table of an event and its encoded row (one line, no trailing newline). */
  encode(event: CapturedEvent, ingestedAt: number): { table: string; row: string };
  /** The uuid of an encoded row (restart replay, isolation). */
  uuidOf(row: string): string;
  /** An encoded row back as an event (to quarantine a row the store refused). */
  decode(row: string): CapturedEvent;
  /** Writes the batch and records `position` as loaded, atomically. */
  load(batch: LoadBatch, position: number): Promise<void>;
  /** Tries the rows in a transaction that is always rolled back: the store's refusal, or null. */
  probe(rows: TableRows): Promise<Error | null>;
  /** The log position recorded by the last load (0 for a new store). */
  loadedPosition(): Promise<number>;
  /** Releases what the sink holds of its own (before the store closes). */
  close(): void;
}
