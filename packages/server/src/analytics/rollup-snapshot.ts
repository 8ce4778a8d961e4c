import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../durable-file.js';
import type { RecordCipher } from '../encryption/record-cipher.js';
import type { ActionCandidate, DayRollup } from './day-rollup.js';
import { summaryEventTypes } from './facts.js';
import { Rollups } from './rollups.js';

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

const VERSION = 1;
const associated = Buffer.from('pulse summary rollups');

type DayRow = [
  day: number,
  revenuePositive: number,
  revenueNegative: number,
  revenueEvents: number,
  realized: number,
  projected: number,
  emails: number,
  bouncedEmails: number,
  efficiency: number[],
  resources: number[],
  decisions: number[],
  /** [action (index into the action strings), stake, timestamp, uuid, event type index]… flattened */
  actions: (number | string)[],
  lateIngestedAt: number,
];
type TenantRow = [id: string, metrics: string[], resources: string[], decisions: string[], days: DayRow[]];

interface Body {
  version: number;
  lateGraceMs: number;
  appliedAt: number;
  appliedUuids: string[];
  deletions: number;
  actions: string[];
  tenants: TenantRow[];
}

export function encodeRollups(snapshot: RollupSnapshot): Buffer {
  const actions: string[] = [];
  const actionIds = new Map<string, number>();
  const actionId = (text: string) => {
    let id = actionIds.get(text);
    if (id === undefined) actionIds.set(text, (id = actions.push(text) - 1));
    return id;
  };
  const tenants: TenantRow[] = [];
  for (const tenant of snapshot.rollups.tenants.values()) {
    const days: DayRow[] = [];
    for (const [day, r] of tenant.days)
      days.push([
        day,
        r.revenuePositive,
        r.revenueNegative,
        r.revenueEvents,
        r.realized,
        r.projected,
        r.emails,
        r.bouncedEmails,
        r.efficiency,
        r.resources,
        r.decisions,
        r.actions.flatMap((a) => [
          actionId(a.action),
          a.stake,
          a.timestamp,
          a.uuid,
          summaryEventTypes.indexOf(a.eventType),
        ]),
        r.lateIngestedAt,
      ]);
    tenants.push([tenant.id, tenant.metrics.names, tenant.resources.names, tenant.decisions.names, days]);
  }
  const body: Body = {
    version: VERSION,
    lateGraceMs: snapshot.rollups.lateGraceMs,
    appliedAt: snapshot.appliedAt,
    appliedUuids: snapshot.appliedUuids,
    deletions: snapshot.deletions,
    actions,
    tenants,
  };
  return Buffer.from(JSON.stringify(body));
}

/** The snapshot in `bytes`, or null when it is of another version or another late-grace setting. */
export function decodeRollups(bytes: Buffer, lateGraceMs: number): RollupSnapshot | null {
  const body = JSON.parse(bytes.toString('utf8')) as Body;
  if (body.version !== VERSION || body.lateGraceMs !== lateGraceMs) return null;
  const rollups = new Rollups(lateGraceMs);
  const actions = body.actions.map(rollups.intern);
  for (const [id, metrics, resources, decisions, days] of body.tenants) {
    const tenant = rollups.tenant(id);
    for (const name of metrics) tenant.metrics.idOf(name);
    for (const name of resources) tenant.resources.idOf(name);
    for (const name of decisions) tenant.decisions.idOf(name);
    for (const row of days) {
      const r: DayRollup = tenant.day(row[0]);
      [, r.revenuePositive, r.revenueNegative, r.revenueEvents, r.realized, r.projected, r.emails] = row;
      r.bouncedEmails = row[7];
      for (const entry of row[8]) r.efficiency.push(entry);
      for (const entry of row[9]) r.resources.push(entry);
      for (const entry of row[10]) r.decisions.push(entry);
      const flat = row[11];
      for (let i = 0; i < flat.length; i += 5) {
        const eventType = summaryEventTypes[flat[i + 4] as number];
        if (eventType === undefined) return null;
        const candidate: ActionCandidate = {
          action: actions[flat[i] as number] ?? '',
          stake: flat[i + 1] as number,
          timestamp: flat[i + 2] as number,
          uuid: flat[i + 3] as string,
          eventType,
          tenant: tenant.id,
        };
        r.actions.push(candidate);
      }
      r.lateIngestedAt = row[12];
    }
  }
  return { rollups, appliedAt: body.appliedAt, appliedUuids: body.appliedUuids, deletions: body.deletions };
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
