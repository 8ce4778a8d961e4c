import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../durable-file.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import type { ActionCandidate, DayRollup } from './day-rollup.js';
import { DAY_MS, summaryEventTypes } from './facts.js';
import { Rollups } from './rollups.js';
import { SnapshotReader, SnapshotWriter } from './snapshot-codec.js';

/**
 * The day rollups saved next to the store, so a start reads them and aggregates only the events ingested
 * since instead of every event. Sealed with the store's record cipher when the store is encrypted (they
 * name tenants and amounts). A file that does not check out is ignored: the rollups are rebuilt.
 *
 * What a snapshot holds, exactly: every business event ingested before `appliedAt`, and of those ingested
 * at `appliedAt` the ones listed in `appliedUuids`; `deletions` is the store's count of retention runs that
 * deleted events (a snapshot older than a deletion may hold deleted events: it is not used).
 */
export interface RollupSnapshot {
  rollups: Rollups;
  appliedAt: number;
  appliedUuids: string[];
  deletions: number;
}

/** Its name in the data directory. */
export const ROLLUP_SNAPSHOT_FILE = 'summary-rollups.snapshot';

/** Version 1 was JSON; a file of another version is ignored and the rollups are rebuilt (then saved anew). */
const VERSION = 2;
const MAGIC = Buffer.from('PULSERUP', 'latin1');
const associated = Buffer.from('pulse summary rollups');

/**
 * The binary layout (snapshot-codec.ts): numbers lateGraceMs, appliedAt, deletions; words the applied
 * uuids' count then each uuid; words the tenants' count, then per tenant its id, its metric, resource and
 * decision names (each a count and the names) and its days' count; per day, numbers day, the seven sums,
 * lateIngestedAt; the efficiency and resource triples (a count, then per entry word key, the timestamp as
 * an offset from the day's start, number value), the decisions (a count and the ids, words); per action, words its text and event type's index,
 * number stake, its timestamp as an offset, and its uuid.
 */
export function encodeRollups(snapshot: RollupSnapshot): Buffer {
  const out = new SnapshotWriter();
  out.number(snapshot.rollups.lateGraceMs);
  out.number(snapshot.appliedAt);
  out.number(snapshot.deletions);
  out.word(snapshot.appliedUuids.length);
  for (const uuid of snapshot.appliedUuids) out.uuid(uuid);
  const names = (list: readonly string[]) => {
    out.word(list.length);
    for (const name of list) out.string(name);
  };
  out.word(snapshot.rollups.tenants.size);
  for (const tenant of snapshot.rollups.tenants.values()) {
    out.string(tenant.id);
    names(tenant.metrics.names);
    names(tenant.resources.names);
    names(tenant.decisions.names);
    out.word(tenant.days.size);
    for (const [day, r] of tenant.days) {
      for (const n of [day, r.revenuePositive, r.revenueNegative, r.revenueEvents, r.realized, r.projected])
        out.number(n);
      out.number(r.emails);
      out.number(r.bouncedEmails);
      out.number(r.lateIngestedAt);
      for (const triples of [r.efficiency, r.resources]) {
        out.word(triples.length / 3);
        for (let i = 0; i < triples.length; i += 3) {
          out.word(triples[i] as number);
          out.time(triples[i + 1] as number, day * DAY_MS);
          out.number(triples[i + 2] as number);
        }
      }
      out.word(r.decisions.length);
      for (const id of r.decisions) out.word(id);
      out.word(r.actions.length);
      for (const a of r.actions) {
        out.string(a.action);
        out.word(summaryEventTypes.indexOf(a.eventType));
        out.number(a.stake);
        out.time(a.timestamp, day * DAY_MS);
        out.uuid(a.uuid);
      }
    }
  }
  return out.finish(MAGIC, VERSION);
}

/** The snapshot in `bytes`, or null when it is of another version or another late-grace setting. */
export function decodeRollups(bytes: Buffer, lateGraceMs: number): RollupSnapshot | null {
  const input = SnapshotReader.open(bytes, MAGIC, VERSION);
  if (!input || input.number() !== lateGraceMs) return null;
  const appliedAt = input.number();
  const deletions = input.number();
  const appliedUuids: string[] = [];
  for (let i = input.word(); i > 0; i--) appliedUuids.push(input.uuid());
  const rollups = new Rollups(lateGraceMs);
  for (let t = input.word(); t > 0; t--) {
    const tenant = rollups.tenant(input.string());
    for (const keys of [tenant.metrics, tenant.resources, tenant.decisions])
      for (let i = input.word(); i > 0; i--) keys.idOf(input.string());
    for (let d = input.word(); d > 0; d--) {
      const day = input.number();
      const r: DayRollup = tenant.day(day);
      r.revenuePositive = input.number();
      r.revenueNegative = input.number();
      r.revenueEvents = input.number();
      r.realized = input.number();
      r.projected = input.number();
      r.emails = input.number();
      r.bouncedEmails = input.number();
      r.lateIngestedAt = input.number();
      for (const triples of [r.efficiency, r.resources])
        for (let i = input.word(); i > 0; i--)
          triples.push(input.word(), input.time(day * DAY_MS), input.number());
      for (let i = input.word(); i > 0; i--) r.decisions.push(input.word());
      for (let a = input.word(); a > 0; a--) {
        const action = tenant.intern(input.string());
        const type = input.word();
        const stake = input.number();
        const timestamp = input.time(day * DAY_MS);
        const uuid = input.uuid();
        const eventType = summaryEventTypes[type];
        if (eventType === undefined) return null;
        const candidate: ActionCandidate = { action, stake, timestamp, uuid, eventType, tenant: tenant.id };
        r.actions.push(candidate);
      }
    }
  }
  return input.done ? { rollups, appliedAt, appliedUuids, deletions } : null;
}

/** Reads the snapshot at `path`; null when there is none or it does not open, parse or match. */
export async function loadRollups(
  path: string,
  cipher: RecordCipher | null,
  lateGraceMs: number,
): Promise<RollupSnapshot | null> {
  try {
    const file = await readFile(path);
    return decodeRollups(cipher ? cipher.open(file, associated) : file, lateGraceMs);
  } catch {
    return null;
  }
}

/** Writes a snapshot atomically (temporary file, fsync, rename). */
export async function saveRollups(path: string, cipher: RecordCipher | null, bytes: Buffer): Promise<void> {
  await writeFileDurably(path, [cipher ? cipher.seal(bytes, associated) : bytes]);
}
