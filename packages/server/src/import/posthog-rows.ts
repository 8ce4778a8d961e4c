import { isUuid, utcMicros, type EventRange, type Keyset } from './hogql.js';
import type { QueryResult } from './posthog-query-api.js';

/** One PostHog event as capture's batch body carries it. */
export interface BatchEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

const columns = ['uuid', 'event', 'distinct_id', 'timestamp', 'properties'] as const;

/**
 * The rows of one page as capture events, checked against what was asked: every column present, a UUID, a
 * timestamp inside the range, properties as a JSON object. A row that is not says which row and why.
 */
export function pageEvents(result: QueryResult, range: EventRange): BatchEvent[] {
  const at = Object.fromEntries(columns.map((name) => [name, result.columns.indexOf(name)]));
  const missing = columns.filter((name) => at[name] === -1);
  if (missing.length)
    throw new Error(
      `PostHog's answer lacks the column(s) ${missing.join(', ')} (it has ${result.columns.join(', ')})`,
    );
  return result.results.map((row, i) => {
    const cell = (name: (typeof columns)[number]) => row[at[name] as number];
    const uuid = cell('uuid');
    const where = `row ${i + 1} of the page${isUuid(uuid) ? ` (uuid ${uuid})` : ''}`;
    if (!isUuid(uuid)) throw new Error(`${where}: uuid ${JSON.stringify(uuid)} is not a UUID`);
    const event = cell('event');
    const distinctId = cell('distinct_id');
    if (typeof event !== 'string' || typeof distinctId !== 'string')
      throw new Error(`${where}: event and distinct_id must be text`);
    const raw = cell('timestamp');
    const timestamp = typeof raw === 'string' ? utcMicros(raw) : undefined;
    if (timestamp === undefined)
      throw new Error(`${where}: timestamp ${JSON.stringify(raw)} is not an ISO 8601 time`);
    if (timestamp < range.from || timestamp >= range.to)
      throw new Error(
        `${where}: timestamp ${timestamp} is outside the range asked for [${range.from}, ${range.to})`,
      );
    return {
      uuid,
      event,
      distinct_id: distinctId,
      timestamp,
      properties: propertiesOf(cell('properties'), where),
    };
  });
}

/** HogQL returns `properties` as JSON text; an object is taken as is. */
function propertiesOf(value: unknown, where: string): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch (error) {
      throw new Error(`${where}: properties are not JSON (${(error as Error).message})`, { cause: error });
    }
  }
  if (parsed === null || parsed === undefined || parsed === '') return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${where}: properties are not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The keyset after a page, refusing one that does not move forward (the same rows again would loop forever). */
export function nextKeyset(events: readonly BatchEvent[], after: Keyset | null): Keyset | null {
  const last = events.at(-1);
  if (!last) return after;
  const next = { timestamp: last.timestamp, uuid: last.uuid };
  // Timestamps in utcMicros form compare as text; UUID order is the engine's own, so only equality is checked.
  if (
    after &&
    (next.timestamp < after.timestamp || (next.timestamp === after.timestamp && next.uuid === after.uuid))
  )
    throw new Error(
      `PostHog answered a page that does not move past ${after.timestamp} ${after.uuid}; the host does not honour keyset paging`,
    );
  return next;
}
