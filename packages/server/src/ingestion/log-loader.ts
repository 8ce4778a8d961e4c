import { makeIssue } from '@pulse/events';
import type { Registry } from 'prom-client';
import type { RecordCipher } from '../encryption/record-cipher.js';
import { UnavailableError } from '../errors.js';
import type { QuarantinedEvent } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';
import { IngestLog } from './ingest-log.js';
import { loaderMetrics } from './loader-metrics.js';
import type { LogWrites } from './log-writer.js';
import { decodeGroup, encodeGroup, rowsOf, sectionOf, type GroupRecord } from './log-record.js';
import type { LoadBatch, LogSink, TableRows } from './log-sink.js';

export interface LogLoaderOptions {
  dir: string;
  cipher: RecordCipher | null;
  sink: LogSink;
  registry: Registry;
  /** Called for each event the store refused on its own and that was quarantined instead. */
  onQuarantined?: (entry: QuarantinedEvent) => void;
  onError?: (error: unknown) => void;
  /** Load once this many rows wait… */
  batchRows?: number;
  /** …or once the oldest waiting record is this old. */
  intervalMs?: number;
  /** At most this many rows per load transaction. */
  maxRowsPerLoad?: number;
  /** Rows logged but not loaded before capture answers 503. */
  maxBacklogRows?: number;
  segmentBytes?: number;
  /** The log's file boundary (see IngestLogOptions.writer). */
  writer?: LogWrites;
  /** See IngestLogOptions.retainFrom. */
  retainFrom?: () => number;
}

/** A logged group waiting for the store. */
interface Pending {
  start: number;
  end: number;
  record: GroupRecord;
  uuids: string[];
  rows: number;
}

interface Waiter {
  target: number;
  resolve: () => void;
}

/**
 * Moves acknowledged groups from the ingest log into the store in large batches (ADR 0002): a load
 * starts once `batchRows` rows wait or the oldest is `intervalMs` old, and records the log position it
 * reaches in the store's own transaction, so a restart replays exactly the unloaded tail. A reader never
 * waits for that age: the read barrier starts a load of what is pending at once. Until loaded, a group's
 * uuids stay in an exact set for dedup.
 */
export class LogLoader {
  private pending: Pending[] = [];
  private readonly unloaded = new Set<string>();
  private backlogRows = 0;
  private loaded: number;
  /** End of the last acknowledged record (what a read barrier waits for). */
  private acked: number;
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private waiters: Waiter[] = [];
  private roomWaiters: (() => void)[] = [];
  private lastError: string | null = null;
  private retryAt = 0;
  private closed = false;
  private readonly metrics: ReturnType<typeof loaderMetrics>;
  private readonly batchRows: number;
  private readonly intervalMs: number;
  private readonly maxRowsPerLoad: number;
  readonly maxBacklogRows: number;

  private constructor(
    private readonly log: IngestLog,
    private readonly options: LogLoaderOptions,
    loaded: number,
  ) {
    this.loaded = loaded;
    this.acked = loaded;
    this.metrics = loaderMetrics(options.registry);
    this.batchRows = options.batchRows ?? 50_000;
    this.intervalMs = options.intervalMs ?? 250;
    this.maxRowsPerLoad = options.maxRowsPerLoad ?? 200_000;
    this.maxBacklogRows = options.maxBacklogRows ?? 500_000;
  }

  /** Opens the log where the store left off and loads its unloaded tail before returning. */
  static async open(options: LogLoaderOptions): Promise<{ loader: LogLoader; replayed: number }> {
    const from = await options.sink.loadedPosition();
    const { log, tail } = await IngestLog.open({
      dir: options.dir,
      cipher: options.cipher,
      from,
      ...(options.segmentBytes ? { segmentBytes: options.segmentBytes } : {}),
      ...(options.writer ? { writer: options.writer } : {}),
      ...(options.retainFrom ? { retainFrom: options.retainFrom } : {}),
    });
    const loader = new LogLoader(log, options, from);
    let replayed = 0;
    for (const entry of tail) replayed += loader.accept(entry, decodeGroup(entry.payload), null);
    await loader.drain();
    return { loader, replayed };
  }

  /** Log position acknowledged so far (end of the last fsynced group). */
  get position(): number {
    return this.acked;
  }

  get backlog(): { rows: number; bytes: number } {
    return { rows: this.backlogRows, bytes: this.acked - this.loaded };
  }

  /** An acknowledged uuid the store does not hold yet (exact; dedup checks it before the store). */
  holds(uuid: string): boolean {
    return this.unloaded.has(uuid);
  }

  /** Whether `incoming` more rows would pass the backlog bound. */
  isFull(incoming: number): boolean {
    return this.backlogRows + incoming > this.maxBacklogRows;
  }

  /** Resolves once the backlog has room for `incoming` rows (bulk loading waits here instead of a 503). */
  async waitForRoom(incoming: number): Promise<void> {
    while (this.isFull(incoming) && this.backlogRows > 0) {
      this.kick();
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  /**
   * Appends a group (rows per table, as `encode` made them) to the log: write + fdatasync. Once it
   * resolves the group is durable and waits for the loader.
   */
  async append(
    group: {
      ingestedAt: number;
      rows: ReadonlyMap<string, readonly string[]>;
      quarantined: QuarantinedEvent[];
      released: string[];
      order?: [number, number][];
    },
    uuids: string[],
  ): Promise<void> {
    if (this.closed) throw new Error('the ingest log is closed');
    const { payload, record } = encodeGroup(
      group.ingestedAt,
      group.rows,
      group.quarantined,
      group.released,
      group.order,
    );
    const entry = await this.log.append(payload);
    this.accept(entry, record, uuids);
  }

  /**
   * The read barrier: resolves once the store holds everything acknowledged before the call, or fails
   * with a 503 naming the lag after `timeoutMs`.
   */
  async barrier(timeoutMs = 5_000): Promise<void> {
    const target = this.acked;
    const stop = this.metrics.readWaitSeconds.startTimer();
    if (this.loaded >= target) {
      stop();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          stop();
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const { rows, bytes } = this.backlog;
        reject(
          new UnavailableError(
            `the store is ${rows} events (${bytes} bytes of ingest log) behind what was acknowledged` +
              `${this.lastError ? ` (last load error: ${this.lastError})` : ''}; retry shortly`,
            1,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
      this.kick();
    });
  }

  /** Loads everything logged so far; fails (leaving the rest in the log for the next start) if a load does. */
  async drain(): Promise<void> {
    await this.loading;
    while (this.pending.length) {
      this.retryAt = 0;
      this.startLoad();
      await this.loading;
      if (this.pending.length && this.lastError)
        throw new Error(`loading the ingest log failed: ${this.lastError}`);
    }
  }

  /** The sink's encoding of an event, as logged. */
  encode(event: CapturedEvent, ingestedAt: number): { table: string; row: string } {
    return this.options.sink.encode(event, ingestedAt);
  }

  /** Drains, then closes the log (no appends after). */
  async close(): Promise<void> {
    this.closed = true;
    let drained = false;
    try {
      await this.drain();
      drained = true;
    } finally {
      if (this.timer) clearTimeout(this.timer);
      // Fully loaded: nothing needs the log any more; otherwise its tail waits for the next start.
      await this.log.close(drained && !this.pending.length ? this.loaded : undefined);
    }
  }

  private accept(entry: { start: number; end: number }, record: GroupRecord, uuids: string[] | null): number {
    const ids = uuids ?? record.tables.flatMap((t) => rowsOf(t).map((row) => this.options.sink.uuidOf(row)));
    for (const uuid of ids) this.unloaded.add(uuid);
    const rows = record.tables.reduce((n, t) => n + t.rows, 0) + record.quarantined.length;
    this.pending.push({ start: entry.start, end: entry.end, record, uuids: ids, rows });
    this.acked = entry.end;
    this.backlogRows += rows;
    this.updateLag();
    this.schedule();
    return rows;
  }

  private updateLag(): void {
    this.metrics.lagEvents.set(this.backlogRows);
    this.metrics.lagBytes.set(this.acked - this.loaded);
  }

  private schedule(): void {
    if (this.loading || this.closed || !this.pending.length) return;
    const now = Date.now();
    if (this.backlogRows >= this.batchRows && now >= this.retryAt) {
      this.startLoad();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.startLoad();
      },
      Math.max(this.intervalMs, this.retryAt - now),
    );
  }

  /** Load now (a reader or a bulk load is waiting). */
  private kick(): void {
    if (!this.loading && this.pending.length && Date.now() >= this.retryAt) this.startLoad();
  }

  private startLoad(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.loading || !this.pending.length) return;
    this.loading = this.loadSome()
      .catch((error: unknown) => {
        // Nothing is dropped: the same records are retried after a pause.
        this.lastError = error instanceof Error ? error.message : String(error);
        this.retryAt = Date.now() + 1_000;
        this.options.onError?.(error);
      })
      .finally(() => {
        this.loading = null;
        if (this.waiters.length) this.kick();
        this.schedule();
      });
  }

  private async loadSome(): Promise<void> {
    const group: Pending[] = [];
    let rows = 0;
    for (const p of this.pending) {
      if (group.length && rows + p.rows > this.maxRowsPerLoad) break;
      group.push(p);
      rows += p.rows;
    }
    const last = group.at(-1);
    if (!last) return;
    const stop = this.metrics.loadSeconds.startTimer();
    try {
      await this.options.sink.load(batchOf(group.map((p) => p.record)), last.end);
      this.loadedThrough(group);
    } catch (error) {
      this.metrics.loadErrors.inc();
      // One refused value must not wedge the loader: load record by record, isolating refused rows.
      for (const p of group) await this.loadIsolating(p, error);
    } finally {
      stop();
    }
    this.lastError = null;
  }

  /** Loads one record; rows the store refuses on their own are quarantined with the store's reason. */
  private async loadIsolating(p: Pending, cause: unknown): Promise<void> {
    try {
      await this.options.sink.load(batchOf([p.record]), p.end);
      this.loadedThrough([p]);
      return;
    } catch {
      // find the culprit rows below
    }
    const tables: TableRows[] = [];
    const refused: QuarantinedEvent[] = [];
    for (const section of p.record.tables) {
      const rows = rowsOf(section);
      const bad = await this.refusedRows(section.table, rows);
      const badSet = new Set(bad.map((b) => b.row));
      tables.push(sectionOf(section.table, badSet.size ? rows.filter((r) => !badSet.has(r)) : rows));
      for (const { row, error } of bad) refused.push(this.quarantineOf(row, error, p.record.ingestedAt));
    }
    if (!refused.length) throw cause; // not a bad value: a store failure, retried as a whole later
    const record = { ...p.record, tables, quarantined: [...p.record.quarantined, ...refused] };
    await this.options.sink.load(batchOf([record]), p.end);
    this.loadedThrough([p]);
    for (const entry of refused) this.options.onQuarantined?.(entry);
  }

  /** Bisects a table's rows down to the ones the store refuses alone. */
  private async refusedRows(table: string, rows: string[]): Promise<{ row: string; error: Error }[]> {
    if (!rows.length) return [];
    const error = await this.options.sink.probe(sectionOf(table, rows));
    if (!error) return [];
    if (rows.length === 1) return [{ row: rows[0] as string, error }];
    const half = rows.length >> 1;
    return [
      ...(await this.refusedRows(table, rows.slice(0, half))),
      ...(await this.refusedRows(table, rows.slice(half))),
    ];
  }

  private quarantineOf(row: string, error: Error, ingestedAt: number): QuarantinedEvent {
    const event = this.options.sink.decode(row);
    const reason = error.message.split('\n')[0] ?? 'refused';
    return {
      id: event.uuid,
      receivedAt: ingestedAt,
      batchIndex: 0,
      event,
      issues: [
        makeIssue(event.event, 'properties', 'storage', `a value the store can hold (${reason})`, undefined),
      ],
    };
  }

  private loadedThrough(done: Pending[]): void {
    const last = done.at(-1);
    if (!last) return;
    this.pending.splice(0, done.length);
    for (const p of done) {
      for (const uuid of p.uuids) this.unloaded.delete(uuid);
      this.backlogRows -= p.rows;
      this.metrics.loadedRows.inc(p.rows);
    }
    this.loaded = last.end;
    this.log.release(this.loaded);
    this.updateLag();
    const ready = this.waiters.filter((w) => w.target <= this.loaded);
    this.waiters = this.waiters.filter((w) => w.target > this.loaded);
    for (const w of ready) w.resolve();
    const room = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of room) resolve();
  }
}

/** Merges groups into one load: table sections concatenated per table, quarantine changes in order. */
function batchOf(records: readonly GroupRecord[]): LoadBatch {
  const byTable = new Map<string, { rows: number; parts: Buffer[] }>();
  for (const record of records)
    for (const section of record.tables) {
      const entry = byTable.get(section.table) ?? { rows: 0, parts: [] };
      entry.rows += section.rows;
      entry.parts.push(section.bytes);
      byTable.set(section.table, entry);
    }
  return {
    tables: [...byTable].map(([table, { rows, parts }]) => ({ table, rows, parts })),
    quarantine: records
      .filter((r) => r.quarantined.length || r.released.length)
      .map((r) => ({ quarantined: r.quarantined, released: r.released })),
  };
}
