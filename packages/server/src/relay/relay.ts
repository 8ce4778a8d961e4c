import { isBusinessEventName } from '@pulse/events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RelayEvents } from '../config/relay-keys.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { LogReader } from '../ingestion/log-reader.js';
import { decodeGroup, rowsInOrder } from '../ingestion/log-record.js';
import { OutboundError, retryAfterMs, type OutboundResponse } from '../net/safe-fetch.js';
import type { RelayDeadLetterStore } from '../storage/relay-dead-letter-store.js';
import type { RelayCursor, RelayPosition } from './cursor.js';
import type { RelayMetrics } from './metrics.js';
import { posthogEventJson } from './wire.js';

export interface RelayOptions {
  mode: RelayEvents;
  reader: LogReader;
  cursor: RelayCursor;
  /** End of the acknowledged (fsynced) ingest log. */
  logEnd: () => number;
  /** A logged row back as the event it was. */
  decode: (row: string) => CapturedEvent;
  /** One request to the upstream's batch endpoint (no retries: the relay schedules those). */
  post: (events: readonly string[]) => Promise<OutboundResponse>;
  deadLetters: RelayDeadLetterStore;
  metrics: RelayMetrics;
  logger: Logger;
  maxBacklogBytes: number;
  /** Events per request at most (413 halves it for the batch at hand). */
  maxBatchEvents?: number;
  now?: () => number;
}

/** A batch waiting for the upstream: each event with the position the relay reaches once it is acknowledged. */
interface Pending {
  items: { json: string; at: number; after: RelayPosition }[];
  end: RelayPosition;
}

/** One log record's rows, in the order they were accepted. */
interface DecodedRecord {
  start: number;
  end: number;
  ingestedAt: number;
  rows: string[];
}

/** The upstream could not take the batch now; it is sent again later (after Retry-After, when given). */
export class RelayUnavailable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RelayUnavailable';
  }
}

/** A refusal the relay does not retry on its own: the batch becomes a dead letter. */
const isPermanent = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;
const reasonOf = (body: string) => body.slice(0, 1000) || '(empty answer)';
/** Records read at once when counting the backlog (without holding it in memory). */
const READ_BYTES = 4 * 1024 * 1024;

/**
 * Forwards the ingest log to PostHog in log order, one batch in flight (so events of one distinct_id
 * arrive in the order they were accepted). Its position moves, and is fsynced, only once the upstream
 * acknowledged a batch (or refused it for good, and it is a dead letter), so a crash re-sends at most
 * that batch, which PostHog deduplicates by uuid.
 */
export class Relay {
  private pending: Pending | null = null;
  private cached: DecodedRecord | null = null;
  private limit: number;
  private lagEvents = 0;
  /** Where the backlog counted at start ends; events past it are counted as they are committed. */
  private scanTo: number | null;
  private turn: Promise<unknown> = Promise.resolve();
  readonly counts = { sent: 0, failedAttempts: 0, dropped: 0 };
  private readonly now: () => number;
  private readonly maxBatchEvents: number;

  constructor(private readonly options: RelayOptions) {
    this.now = options.now ?? Date.now;
    this.maxBatchEvents = options.maxBatchEvents ?? 2000;
    this.limit = this.maxBatchEvents;
    this.scanTo = options.logEnd();
  }

  /** Whether the relay forwards an event of this name. */
  relays(name: string): boolean {
    return this.options.mode === 'all' || isBusinessEventName(name);
  }

  /** Committed events just appended to the log: they join the lag. */
  committed(events: number): void {
    this.lagEvents += events;
  }

  get position(): RelayPosition {
    return this.options.cursor.value;
  }

  lag(): { events: number; seconds: number } {
    const oldest = this.pending?.items[0]?.at;
    return {
      events: Math.max(0, this.lagEvents),
      seconds: oldest === undefined ? 0 : Math.max(0, (this.now() - oldest) / 1000),
    };
  }

  /** Sends batches until caught up; throws RelayUnavailable when the upstream cannot take one now. */
  run(signal: AbortSignal): Promise<void> {
    return this.exclusive(async () => {
      if (this.scanTo !== null) this.countBacklog(this.scanTo);
      while (!signal.aborted) {
        this.boundBacklog();
        const batch = this.pending ?? this.nextBatch();
        if (!batch) {
          this.lagEvents = 0; // caught up: every event committed so far was passed
          return;
        }
        this.pending = batch;
        await this.deliver(batch);
      }
    });
  }

  /** Sends dead letters again (one, or all oldest first): delivered ones are removed. */
  retry(
    ids: readonly string[],
  ): Promise<{ id: string; delivered: boolean; status: number | null; reason: string | null }[]> {
    return this.exclusive(async () => {
      const results = [];
      for (const id of ids) {
        const events = await this.options.deadLetters.events(id);
        if (!events) continue;
        let status: number | null = null;
        let reason: string;
        try {
          const response = await this.options.post(events);
          status = response.status;
          reason = reasonOf(response.body);
        } catch (error) {
          reason = (error as Error).message;
        }
        if (status !== null && status >= 200 && status < 300) {
          await this.options.deadLetters.remove(id);
          this.acknowledged(events.length);
          results.push({ id, delivered: true, status, reason: null });
          continue;
        }
        if (status !== null) await this.options.deadLetters.refusedAgain(id, this.now(), status, reason);
        results.push({ id, delivered: false, status, reason });
      }
      return results;
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => {});
    return run;
  }

  private async deliver(batch: Pending): Promise<void> {
    const slice = batch.items.slice(0, this.limit);
    if (!slice.length) return this.advance(batch, 0);
    const events = slice.map((item) => item.json);
    let response: OutboundResponse;
    try {
      response = await this.options.post(events);
    } catch (error) {
      this.counts.failedAttempts++;
      this.options.metrics.failedAttempts.inc();
      if (error instanceof OutboundError) throw new RelayUnavailable(error.message);
      throw error;
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      this.acknowledged(slice.length);
      return this.advance(batch, slice.length);
    }
    if (status === 413 && slice.length > 1) {
      // Too large for the upstream: halve it and send the first half at once.
      this.limit = Math.ceil(slice.length / 2);
      return;
    }
    if (status === 413 || isPermanent(status)) {
      await this.deadLetter(events, status, reasonOf(response.body));
      return this.advance(batch, slice.length);
    }
    this.counts.failedAttempts++;
    this.options.metrics.failedAttempts.inc();
    throw new RelayUnavailable(
      `${status} from the upstream: ${reasonOf(response.body).slice(0, 200)}`,
      retryAfterMs(response.headers['retry-after']),
    );
  }

  private acknowledged(events: number): void {
    this.counts.sent += events;
    this.options.metrics.sent.inc(events);
  }

  /** Moves past the first `done` events of the batch (and what it skipped), durably. */
  private advance(batch: Pending, done: number): void {
    const last = batch.items[done - 1];
    const whole = done === batch.items.length;
    this.options.cursor.save(whole || !last ? batch.end : last.after);
    batch.items = batch.items.slice(done);
    this.lagEvents -= done;
    if (whole) this.pending = null;
  }

  private async deadLetter(events: string[], status: number, reason: string): Promise<void> {
    const at = this.now();
    const id = randomUUID();
    await this.options.deadLetters.add(
      { id, firstAt: at, lastAt: at, status, reason, count: events.length, attempts: 1 },
      events,
    );
    this.options.metrics.deadLettered.inc(events.length);
    this.options.logger.warn(
      { deadLetter: id, status, reason: reason.slice(0, 200), events: events.length },
      'the relay upstream refused a batch: kept as a dead letter (pulse relay retry)',
    );
  }

  /** The next batch from the cursor on (events this relay does not forward are passed over), or null. */
  private nextBatch(): Pending | null {
    const from = this.options.cursor.value;
    const end = this.options.logEnd();
    this.limit = this.maxBatchEvents;
    const items: Pending['items'] = [];
    let at = from;
    let read = false;
    while (at.position < end && items.length < this.maxBatchEvents) {
      const record = this.recordAt(at.position, end);
      // No record past the position (the log's end is the header of a fresh segment): caught up.
      if (!record) break;
      read = true;
      const { rows } = record;
      let i = record.start === at.position ? at.skip : 0;
      for (; i < rows.length && items.length < this.maxBatchEvents; i++) {
        const event = this.options.decode(rows[i] as string);
        if (!this.relays(event.event)) continue;
        const after =
          i + 1 === rows.length ? { position: record.end, skip: 0 } : { position: record.start, skip: i + 1 };
        items.push({ json: posthogEventJson(event), at: record.ingestedAt, after });
      }
      at = i === rows.length ? { position: record.end, skip: 0 } : { position: record.start, skip: i };
    }
    return read ? { items, end: at } : null;
  }

  /** The record at `position` (or the oldest kept after it); the last one is kept: batches often end inside it. */
  private recordAt(position: number, end: number): DecodedRecord | null {
    if (this.cached?.start === position) return this.cached;
    const read = this.options.reader.read(position, end, 1);
    if (read.resumedAt !== null)
      this.options.logger.error(
        { from: position, resumedAt: read.resumedAt },
        'the relay position is no longer in the ingest log (released while the relay was off): resuming at the oldest record kept',
      );
    const entry = read.entries[0];
    if (!entry) return null;
    const record = decodeGroup(entry.payload);
    this.cached = {
      start: entry.start,
      end: entry.end,
      ingestedAt: record.ingestedAt,
      rows: rowsInOrder(record),
    };
    return this.cached;
  }

  /** Events from `from` up to `to` this relay forwards (`skip` rows of the first record excluded). */
  private countEvents(from: RelayPosition, to: number): { events: number; end: number } {
    let events = 0;
    let end = from.position;
    while (end < to) {
      const { entries } = this.options.reader.read(end, to, READ_BYTES);
      if (!entries.length) break;
      for (const entry of entries) {
        const rows = rowsInOrder(decodeGroup(entry.payload));
        const first = entry.start === from.position ? from.skip : 0;
        for (let i = first; i < rows.length; i++)
          if (this.options.mode === 'all' || this.relays(this.options.decode(rows[i] as string).event))
            events++;
        end = entry.end;
      }
    }
    return { events, end };
  }

  /** The backlog left by an earlier run joins the lag (once, at the first run). */
  private countBacklog(to: number): void {
    this.scanTo = null;
    this.lagEvents += this.countEvents(this.options.cursor.value, to).events;
  }

  /**
   * An upstream down for long must not fill the disk: past the bound the oldest records are passed over
   * (dropped from the relay, never from Pulse), loudly, so the log behind them can be released.
   */
  private boundBacklog(): void {
    const end = this.options.logEnd();
    const from = this.options.cursor.value;
    if (end - from.position <= this.options.maxBacklogBytes) return;
    const { events, end: reached } = this.countEvents(
      from,
      end - Math.floor(this.options.maxBacklogBytes * 0.9),
    );
    this.pending = null;
    this.options.cursor.save({ position: reached, skip: 0 });
    this.lagEvents -= events;
    this.counts.dropped += events;
    this.options.metrics.dropped.inc(events);
    this.options.logger.error(
      { dropped: events, from: from.position, to: reached },
      'the relay backlog passed PULSE_POSTHOG_RELAY_MAX_BACKLOG_MB: dropped its oldest events from the relay',
    );
  }
}
