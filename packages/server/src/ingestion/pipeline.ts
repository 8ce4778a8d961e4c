import { checkBusinessEvent, isBusinessEventName, makeIssue, type SchemaIssue } from '@pulse/events';
import { UnavailableError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { EventStore, QuarantinedEvent, StoredEvent } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';
import { Dedup, Placement, type Waits, type WarmUp } from './dedup.js';
import { DedupSaver } from './dedup-saver.js';
import { recheckQuarantined } from './quarantine-recheck.js';
import type { EventStream } from './event-stream.js';
import { commitWithIsolation } from './isolate-failures.js';
import type { LogLoader } from './log-loader.js';
import { PendingRequest } from './pending-request.js';
import { scopeIssue } from './tenant-scope.js';

/** What the capture response reports about a request's events. */
export interface IngestOutcome {
  quarantined: { index: number; issues: SchemaIssue[] }[];
}

export interface PipelineOptions {
  store: EventStore;
  stream: EventStream;
  metrics: Metrics;
  /** Events waiting for commit before new requests are refused with 503. */
  queueMax: number;
  /** How long the first request of a group waits for others to share its commit. */
  commitIntervalMs: number;
  maxEventsPerCommit?: number;
  now?: () => number;
  /**
   * Log-first ingest (ADR 0002): a group is durable once appended to the ingest log and fsynced; the
   * loader moves it into the store later. Without it, groups commit straight into the store.
   */
  loader?: LogLoader;
  /** The dedup index saved next to the store, so a start need not read every stored uuid (dedup.ts). */
  dedupIndex?: {
    path: string;
    /** Saved at most this often while commits happen (and at `saveDedupIndex`). */
    saveEveryMs: number;
    onSaveError: (error: unknown) => void;
  };
  /** Bytes of the dedup filter (uuid-filter.ts); its default otherwise. */
  dedupFilterBytes?: number;
}

/**
 * Validates, deduplicates and group-commits captured events. `ingest` resolves only once its events
 * are durable (or quarantined durably), then the committed events go to the stream.
 */
export class IngestPipeline {
  private readonly dedup: Dedup;
  private queue: PendingRequest[] = [];
  private queuedEvents = 0;
  private committing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private lastIngestedAt = 0;
  /** When the last group commit ended (performance.now()). */
  private lastCommitEnd = -Infinity;
  private readonly dedupSaver: DedupSaver | null;

  constructor(private readonly options: PipelineOptions) {
    this.now = options.now ?? Date.now;
    this.dedup = new Dedup(
      options.store,
      options.loader,
      options.metrics,
      options.dedupIndex?.path,
      options.dedupFilterBytes,
    );
    this.dedupSaver = options.dedupIndex ? new DedupSaver(this.dedup, options.dedupIndex, this.now) : null;
  }

  /** Builds the dedup index; call once before serving. */
  async warmUp(): Promise<WarmUp> {
    const warm = await this.dedup.warmUp();
    this.lastIngestedAt = Math.max(this.lastIngestedAt, warm.ingestedBefore);
    return warm;
  }

  /** Saves the dedup index now (after a drain, at shutdown); a save already running finishes first. */
  async saveDedupIndex(): Promise<void> {
    await this.dedupSaver?.saveNow(this.lastIngestedAt);
  }

  /** Events accepted but not yet in the store: waiting for the log, or logged and waiting for the loader. */
  get queueDepth(): number {
    return this.queuedEvents + (this.options.loader?.backlog.rows ?? 0);
  }

  /** Resolves once the store holds every event acknowledged so far (the read barrier; 503 on timeout). */
  async barrier(timeoutMs?: number): Promise<void> {
    await this.options.loader?.barrier(timeoutMs);
  }

  /** Bulk loading (seed, demo) waits here for the loader instead of being refused with a 503. */
  async waitForRoom(events: number): Promise<void> {
    await this.options.loader?.waitForRoom(events + this.queuedEvents);
  }

  /**
   * Resolves once every event of the request is durable: its own, and for a copy of an event another
   * request is committing, that original (or, if the original's commit failed, the copy committed here).
   */
  async ingest(
    events: readonly CapturedEvent[],
    receivedAt = this.now(),
    tenants: readonly string[] | 'all' = 'all',
  ): Promise<IngestOutcome> {
    this.checkRoom(events.length);
    const request = new PendingRequest();
    const pass = new Placement(request);
    events.forEach((event, index) => {
      // `tenants`: the capture token's scope; an event outside it is quarantined, not stored.
      const outOfScope = scopeIssue(event, tenants);
      if (outOfScope) {
        request.quarantined.push({
          id: event.uuid,
          receivedAt,
          batchIndex: index,
          event,
          issues: [outOfScope],
        });
        return;
      }
      if (isBusinessEventName(event.event)) {
        const result = checkBusinessEvent(event.event, event.properties, { uuid: event.uuid });
        if (!result.ok) {
          request.quarantined.push({
            id: event.uuid,
            receivedAt,
            batchIndex: index,
            event,
            issues: result.issues,
          });
          return;
        }
      }
      this.dedup.place(event, pass);
    });
    await this.finish(pass);
    const requests = pass.waits ? await this.settleCopies(request, pass.waits) : [request];
    for (const r of requests) await r.committed();
    const quarantined = requests.flatMap((r) => r.quarantined);
    for (const q of quarantined) this.options.metrics.quarantined.inc({ event: q.event.event });
    return { quarantined: quarantined.map((q) => ({ index: q.batchIndex, issues: q.issues })) };
  }

  private checkRoom(incoming: number): void {
    const { metrics, loader } = this.options;
    if (this.queuedEvents + incoming > this.options.queueMax) {
      metrics.rejected.inc({ reason: 'queue_full' });
      throw new UnavailableError(
        `ingest queue is full (${this.queuedEvents} events waiting); retry shortly`,
        1,
      );
    }
    if (loader?.isFull(this.queuedEvents + incoming)) {
      metrics.rejected.inc({ reason: 'queue_full' });
      const { rows, bytes } = loader.backlog;
      throw new UnavailableError(
        `the store is ${rows} events (${bytes} bytes of ingest log) behind; retry shortly`,
        1,
      );
    }
  }

  /** Confirms the pass's fingerprint hits, then queues its request (or settles it: nothing to write). */
  private async finish(pass: Placement): Promise<void> {
    await this.dedup.confirm(pass);
    const request = pass.request;
    if (request.events.length || request.quarantined.length) this.enqueue(request);
    else request.succeed();
  }

  /**
   * Waits for the requests committing originals of this request's copies. A durable original makes its
   * copies duplicates; a failed one leaves them to this request, which commits them itself (then its 200
   * is true), or waits in turn on a third copy that took over first. Returns every request it committed.
   */
  private async settleCopies(own: PendingRequest, waits: Waits): Promise<PendingRequest[]> {
    const requests = [own];
    let pending: Waits | null = waits;
    while (pending) {
      const owners = [...pending];
      const outcomes = await Promise.all(owners.map(([owner]) => owner.durable));
      // This request answers 503 anyway: its sender retries the copies too.
      if (requests.some((r) => r.failed)) break;
      const orphans: CapturedEvent[] = [];
      owners.forEach(([, copies], i) => {
        if (outcomes[i]) this.dedup.duplicates(copies.length);
        else for (const copy of copies) orphans.push(copy);
      });
      if (!orphans.length) break;
      const pass = new Placement(new PendingRequest());
      for (const event of orphans) this.dedup.place(event, pass);
      requests.push(pass.request);
      await this.finish(pass);
      pending = pass.waits;
    }
    return requests;
  }

  /** Keeps events aside in the quarantine with issues their producer found (e.g. no tenant); replayable. */
  async quarantine(entries: readonly QuarantinedEvent[]): Promise<void> {
    if (!entries.length) return;
    const request = new PendingRequest();
    request.quarantined = [...entries];
    this.enqueue(request);
    await request.committed();
    for (const q of entries) this.options.metrics.quarantined.inc({ event: q.event.event });
  }

  /**
   * Re-checks quarantined events against the current catalog, with optional corrected properties per id
   * (`fixes[id]` is merged over the stored properties; null removes one); valid ones move into the store.
   */
  async replay(
    ids: readonly string[],
    fixes: Readonly<Record<string, Record<string, unknown>>> = {},
  ): Promise<{ replayed: string[]; stillInvalid: QuarantinedEvent[] }> {
    // Quarantine entries and events may still be in the ingest log.
    await this.barrier();
    const entries = await this.options.store.getQuarantined(ids);
    const { valid, released, stillInvalid } = recheckQuarantined(entries, fixes);
    if (!released.length && !stillInvalid.length) return { replayed: [], stillInvalid: [] };
    const request = new PendingRequest();
    request.quarantined = stillInvalid;
    request.released = released;
    // Released from quarantine in the same commit that stores it: only once no copy is in flight.
    await this.dedup.admitAbsent(valid, request);
    this.enqueue(request);
    await request.committed();
    return { replayed: released, stillInvalid };
  }

  /** Commits everything queued (and loads the ingest log); new requests still get in until close. */
  async drain(): Promise<void> {
    while (this.queue.length || this.committing) {
      if (!this.committing) this.startCommit();
      await this.committing;
    }
    await this.options.loader?.drain();
  }

  private enqueue(request: PendingRequest): void {
    this.queue.push(request);
    this.queuedEvents += request.events.length + request.quarantined.length;
    this.options.metrics.queueDepth.set(this.queuedEvents);
    this.schedule();
  }

  /**
   * Opens the group-commit window. After a quiet spell (no commit ended within the window) a request
   * commits at once: nobody is coming to share its fsync, and a critical alert waits on it. Under load
   * commits follow each other and each waits the window, so groups stay as large as before.
   */
  private schedule(): void {
    if (this.committing || this.timer) return;
    const interval = this.options.commitIntervalMs;
    const quiet = performance.now() - this.lastCommitEnd >= interval;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.startCommit();
      },
      quiet ? 0 : interval,
    );
  }

  private startCommit(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const max = this.options.maxEventsPerCommit ?? 50_000;
    const group: PendingRequest[] = [];
    let size = 0;
    while (this.queue.length && (size === 0 || size + (this.queue[0]?.events.length ?? 0) <= max)) {
      const request = this.queue.shift();
      if (!request) break;
      group.push(request);
      size += request.events.length + request.quarantined.length;
    }
    this.committing = this.commitGroup(group, size).finally(() => {
      this.committing = null;
      this.lastCommitEnd = performance.now();
      if (this.queue.length) this.schedule();
    });
  }

  private async commitGroup(group: PendingRequest[], size: number): Promise<void> {
    const { metrics, store, stream, loader } = this.options;
    // Never backwards in log order: analytics' rebuild relies on it (see analytics.ts replay).
    const ingestedAt = Math.max(this.now(), this.lastIngestedAt);
    this.lastIngestedAt = ingestedAt;
    // Before the commit: it may move events of a request into its quarantine.
    const admitted = group.flatMap((r) => r.events.map((e) => e.uuid));
    const stop = metrics.commitSeconds.startTimer();
    let committed: ReadonlySet<PendingRequest>;
    let failure: () => Error = () => new Error('the store refused the request');
    if (loader) {
      try {
        await this.commitToLog(loader, group, ingestedAt);
        committed = new Set(group);
      } catch (error) {
        committed = new Set();
        failure = () => new UnavailableError(`ingest log write failed: ${String(error)}`, 1);
      }
    } else committed = await commitWithIsolation(store, group, ingestedAt);
    stop();
    metrics.commitEvents.observe(size);
    this.queuedEvents -= size;
    metrics.queueDepth.set(this.queuedEvents);
    const stored: StoredEvent[] = [];
    this.dedup.release(admitted);
    let business = 0;
    for (const request of group) {
      if (!committed.has(request)) continue;
      for (const event of request.events) {
        this.dedup.remember(event.uuid);
        const tenant = event.properties.tenant_id;
        // A literal, not a spread: one hidden class for every stream event (this runs per event).
        stored.push({
          uuid: event.uuid,
          event: event.event,
          distinctId: event.distinctId,
          timestamp: event.timestamp,
          properties: event.properties,
          tenantId: typeof tenant === 'string' ? tenant : null,
          ingestedAt,
        });
        if (isBusinessEventName(event.event)) business++;
      }
    }
    if (business) metrics.accepted.inc({ kind: 'business' }, business);
    if (stored.length > business) metrics.accepted.inc({ kind: 'generic' }, stored.length - business);
    if (stored.length) stream.publish({ events: stored, committedAt: this.now() });
    // Last: a copy waiting on one of these requests must find the dedup state as it stands after it.
    for (const request of group)
      if (committed.has(request)) request.succeed();
      else request.fail(failure());
    this.dedupSaver?.saveIfDue(this.lastIngestedAt);
  }

  /**
   * One record for the whole group: rows in the store's load format, appended and fdatasync'ed. An event
   * the store cannot even encode is quarantined in its request; a log write failure throws (the group fails).
   */
  private async commitToLog(loader: LogLoader, group: PendingRequest[], ingestedAt: number): Promise<void> {
    const tables = new Map<string, string[]>();
    const uuids: string[] = [];
    // Sections group rows by table; runs of [section, rows] keep the order they were accepted in.
    const order: [number, number][] = [];
    const sectionOf = new Map<string, number>();
    for (const request of group) {
      let kept: CapturedEvent[] | null = null;
      for (const [index, event] of request.events.entries()) {
        let encoded: { table: string; row: string };
        try {
          encoded = loader.encode(event, ingestedAt);
        } catch (error) {
          kept ??= request.events.slice(0, index);
          const issue = makeIssue(
            event.event,
            'properties',
            'storage',
            `a value the store can hold (${String(error)})`,
            undefined,
          );
          request.quarantined.push({
            id: event.uuid,
            receivedAt: ingestedAt,
            batchIndex: index,
            event,
            issues: [issue],
          });
          continue;
        }
        kept?.push(event);
        const rows = tables.get(encoded.table);
        if (rows) rows.push(encoded.row);
        else tables.set(encoded.table, [encoded.row]);
        uuids.push(event.uuid);
        let section = sectionOf.get(encoded.table);
        if (section === undefined) sectionOf.set(encoded.table, (section = sectionOf.size));
        const run = order.at(-1);
        if (run?.[0] === section) run[1]++;
        else order.push([section, 1]);
      }
      if (kept) request.events = kept;
    }
    await loader.append(
      {
        ingestedAt,
        rows: tables,
        quarantined: group.flatMap((r) => r.quarantined),
        released: group.flatMap((r) => r.released),
        ...(tables.size > 1 ? { order } : {}),
      },
      uuids,
    );
  }
}
