import type { QuarantinedEvent, StoredEvent } from '../storage/event-store.js';
import type { EventPosition, MigrationSource, MigrationTarget } from '../storage/event-migration.js';
import { canonicalJson, checkOf, TableDigest, type TableCheck } from './digest.js';

/** Events per read and per insert: bounded memory, and inserts large enough for ClickHouse's parts. */
export const EVENT_CHUNK = 20_000;
const QUARANTINE_CHUNK = 2_000;

/** Where the events copy has got to, as kept in the target: the last event copied and how many so far. */
interface EventsResume extends EventPosition {
  done: number;
}

export interface EventCopy {
  source: MigrationSource;
  target: MigrationTarget;
  /** Events per read and insert. */
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

/**
 * Copies the events in (timestamp, uuid) order, chunk by chunk, from the position recorded in the target;
 * each chunk's position is recorded only once its insert is acknowledged. Events the target already holds
 * identically (a chunk inserted, then interrupted before its position was recorded) are not written again.
 * Returns how many events the source held.
 */
export async function copyEvents(copy: EventCopy): Promise<number> {
  const saved = await copy.target.position('events');
  let resume: EventsResume | null = saved === null ? null : (JSON.parse(saved) as EventsResume);
  let done = resume?.done ?? 0;
  copy.progress(done);
  for (;;) {
    const page = await copy.source.eventPage(resume, copy.batch);
    const last = page.at(-1);
    if (!last) return done;
    const stored = await copy.target.storedEvents(page.map((e) => e.uuid));
    const present = refuseConflicts('event', (e: StoredEvent) => e.uuid, page, stored);
    await copy.target.importEvents(present.size ? page.filter((e) => !present.has(e.uuid)) : page);
    done += page.length;
    resume = { timestamp: last.timestamp, uuid: last.uuid, done };
    await copy.target.setPosition('events', JSON.stringify(resume));
    copy.progress(done);
  }
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

/** Events and quarantine compared across both stores: counts and order-independent digests. */
export async function verifyEvents(source: MigrationSource, target: MigrationTarget): Promise<TableCheck[]> {
  const sourceEvents = new TableDigest();
  for (let after: EventPosition | null = null; ;) {
    const page = await source.eventPage(after, EVENT_CHUNK);
    for (const event of page) sourceEvents.add(event);
    const last = page.at(-1);
    if (!last) break;
    after = last;
  }
  const targetEvents = new TableDigest();
  await target.forEachEvent((event) => targetEvents.add(event));
  const totals = await target.eventTotals();
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
