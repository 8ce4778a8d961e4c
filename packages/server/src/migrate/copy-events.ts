import type { QuarantinedEvent, StoredEvent } from '../storage/event-store.js';
import type { EventPosition, MigrationSource, MigrationTarget } from '../storage/event-migration.js';
import { canonicalJson, checkOf, TableDigest, type TableCheck } from './digest.js';

/** Events per insert: bounded memory, and inserts large enough for ClickHouse's parts. */
export const EVENT_CHUNK = 50_000;
const QUARANTINE_CHUNK = 2_000;

/**
 * Where the events copy has got to, as kept in the target: per event table, its last event copied, and how
 * many events so far. Its own stream name: positions of another layout are not read as this one.
 */
interface EventsProgress {
  tables: Record<string, EventPosition>;
  done: number;
}
const EVENTS_STREAM = 'events-by-table';

export interface EventCopy {
  source: MigrationSource;
  target: MigrationTarget;
  /** Events per insert. */
  batch: number;
  /** Called with how many events and quarantine entries are copied so far. */
  progress: (done: number) => void;
}

/** Refuses a copy that would overwrite other data: the target holds something else under the same id. */
function refuseConflicts<T>(
  what: string,
  idOf: (item: T) => string,
  source: readonly T[],
  stored: readonly T[],
): Set<string> {
  const wanted = new Map(source.map((item) => [idOf(item), canonicalJson(item)]));
  const present = new Set<string>();
  for (const item of stored) {
    const id = idOf(item);
    if (wanted.get(id) !== canonicalJson(item))
      throw new Error(
        `the target already holds a different ${what} ${id}: it is not a copy of this store (or was changed since). ` +
          'Nothing more was written; migrate into an empty database, or one that only this store was copied into.',
      );
    present.add(id);
  }
  return present;
}

/** `pages` regrouped into chunks of `size` (the last one shorter). */
async function* chunked<T>(pages: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const page of pages)
    for (const item of page) {
      chunk.push(item);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  if (chunk.length) yield chunk;
}

/** The source's events after the recorded positions: table after table, each in one ordered pass. */
async function* eventsAfter(copy: EventCopy, saved: EventsProgress): AsyncGenerator<StoredEvent[]> {
  for (const table of copy.source.eventTables)
    for await (const chunk of chunked(
      copy.source.tableEvents(table, saved.tables[table] ?? null),
      copy.batch,
    ))
      yield chunk;
}

const uuidOf = (e: StoredEvent) => e.uuid;

/** The position of the last of these events (there is at least one). */
function positionOf(events: readonly StoredEvent[]): EventPosition {
  const { timestamp, uuid } = events[events.length - 1] as StoredEvent;
  return { timestamp, uuid };
}

/**
 * The uuids the target holds though no recorded position covers them, each identical to the source's
 * event. Positions are recorded after each acknowledged insert, one insert at a time, so normally these
 * are the chunk written just before an interruption, found in the first chunk after the positions; a fresh
 * run into an empty target looks up nothing. Read-only: a target holding other data is refused before
 * anything more is written.
 */
async function storedBeyondPositions(copy: EventCopy, saved: EventsProgress): Promise<Set<string>> {
  const present = new Set<string>();
  let unaccounted = (await copy.target.storedRows()) - saved.done;
  if (unaccounted <= 0) return present;
  for await (const chunk of eventsAfter(copy, saved)) {
    const stored = await copy.target.storedEvents(chunk.map(uuidOf));
    for (const uuid of refuseConflicts('event', uuidOf, chunk, stored)) present.add(uuid);
    unaccounted -= stored.length;
    if (unaccounted <= 0) return present;
  }
  throw new Error(
    `the target holds ${unaccounted} event(s) that are not in this store: it is not a copy of this store (or was changed since). ` +
      'Nothing more was written; migrate into an empty database, or one that only this store was copied into.',
  );
}

/** How a copy of the events ended: the source's count and, for a run from the start, its digest. */
export interface EventsCopied {
  events: number;
  /** Computed while copying; null for a resumed run, which did not read what was copied before. */
  sourceDigest: TableDigest | null;
}

/**
 * Copies the events table by table, each in one (timestamp, uuid)-ordered pass, in chunks of `batch` from
 * the positions recorded in the target. Each page read is encoded at once (only compact insert bodies wait
 * for a chunk to fill). One insert is in flight while the next chunk is read; a chunk's position is
 * recorded only once its insert is acknowledged, and the next insert waits for that.
 */
export async function copyEvents(copy: EventCopy): Promise<EventsCopied> {
  const recorded = await copy.target.position(EVENTS_STREAM);
  const saved: EventsProgress =
    recorded === null ? { tables: {}, done: 0 } : (JSON.parse(recorded) as EventsProgress);
  const present = await storedBeyondPositions(copy, saved);
  const sourceDigest = recorded === null ? new TableDigest() : null;
  const at: EventsProgress = { tables: { ...saved.tables }, done: saved.done };
  copy.progress(at.done);

  let acknowledged = Promise.resolve();
  const send = async (table: string, bodies: Buffer[], events: number, last: EventPosition) => {
    await acknowledged;
    acknowledged = (async () => {
      await copy.target.importEncoded(bodies);
      at.done += events;
      at.tables[table] = last;
      await copy.target.setPosition(EVENTS_STREAM, JSON.stringify(at));
      copy.progress(at.done);
    })();
    // Awaited before the next insert or at the end; until then a failure must not count as unhandled.
    acknowledged.catch(() => undefined);
  };

  for (const table of copy.source.eventTables) {
    let bodies: Buffer[] = [];
    let events = 0;
    let last: EventPosition | undefined;
    for await (const page of copy.source.tableEvents(table, saved.tables[table] ?? null))
      for (let i = 0; i < page.length;) {
        const slice = page.slice(i, i + copy.batch - events);
        i += slice.length;
        if (sourceDigest) for (const event of slice) sourceDigest.add(event);
        const fresh = present.size ? slice.filter((e) => !present.has(e.uuid)) : slice;
        if (fresh.length) bodies.push(copy.target.encodeEvents(fresh));
        events += slice.length;
        last = positionOf(slice);
        if (events === copy.batch) {
          await send(table, bodies, events, last);
          bodies = [];
          events = 0;
        }
      }
    if (events && last) await send(table, bodies, events, last);
  }
  await acknowledged;
  return { events: at.done, sourceDigest };
}

/** Copies the quarantine by id, as the events; entries already there identically are not written again. */
export async function copyQuarantine(copy: EventCopy, eventsDone: number): Promise<number> {
  let after = await copy.target.position('quarantine');
  let done = 0;
  for (;;) {
    const page = await copy.source.quarantinePage(after, QUARANTINE_CHUNK);
    const last = page.at(-1);
    if (!last) return done;
    const stored = await copy.target.getQuarantined(page.map((q) => q.id));
    const present = refuseConflicts('quarantine entry', (q: QuarantinedEvent) => q.id, page, stored);
    const fresh = page.filter((q) => !present.has(q.id));
    if (fresh.length) await copy.target.importQuarantine(fresh);
    done += page.length;
    after = last.id;
    await copy.target.setPosition('quarantine', after);
    copy.progress(eventsDone + done);
  }
}

/** A digest of every event the source holds, read table by table. */
async function digestOfSource(source: MigrationSource): Promise<TableDigest> {
  const digest = new TableDigest();
  for (const table of source.eventTables)
    for await (const page of source.tableEvents(table, null)) for (const event of page) digest.add(event);
  return digest;
}

/**
 * Events and quarantine compared across both stores: counts and order-independent digests. The source's
 * event digest comes from the copy when it read everything; the target is read once.
 */
export async function verifyEvents(
  source: MigrationSource,
  target: MigrationTarget,
  copiedDigest: TableDigest | null,
): Promise<TableCheck[]> {
  const targetEvents = new TableDigest();
  const [sourceEvents, , totals] = await Promise.all([
    copiedDigest ?? digestOfSource(source),
    target.forEachEvent((event) => targetEvents.add(event)),
    target.eventTotals(),
  ]);
  const events = checkOf(
    'events',
    sourceEvents,
    targetEvents,
    totals.rows === totals.uuids
      ? undefined
      : `${totals.rows - totals.uuids} uuid(s) hold more than one event in the target`,
  );

  const sourceQuarantine = new TableDigest();
  for (let after: string | null = null; ;) {
    const page = await source.quarantinePage(after, QUARANTINE_CHUNK);
    for (const entry of page) sourceQuarantine.add(entry);
    const last = page.at(-1);
    if (!last) break;
    after = last.id;
  }
  const targetQuarantine = new TableDigest();
  // One more than the source holds, so an extra entry in the target shows in the count.
  for (const entry of await target.listQuarantine(sourceQuarantine.rows + 1)) targetQuarantine.add(entry);
  return [events, checkOf('quarantine', sourceQuarantine, targetQuarantine)];
}
