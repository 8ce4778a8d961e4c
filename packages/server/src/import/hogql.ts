/**
 * The HogQL of a backfill: one keyset-paged SELECT over PostHog's `events` and its count(). The text is
 * constant but for placeholder names; every value travels in the query's `values` (HogQL placeholders,
 * parsed as constants), so no input can change the query.
 */

/** Which events a backfill reads: `[from, to)` by timestamp, optionally only some event names. */
export interface EventRange {
  /** ISO 8601 instants, UTC, as `utcMicros` writes them. */
  from: string;
  to: string;
  /** Empty: every event. */
  events: readonly string[];
}

/** The last row a page delivered; the next page starts strictly after it in (timestamp, uuid) order. */
export interface Keyset {
  /** UTC with microseconds, as `utcMicros` writes it. */
  timestamp: string;
  uuid: string;
}

/** A HogQL query as the Query API takes it: text with `{name}` placeholders, and their values. */
export interface HogQL {
  query: string;
  values: Record<string, string | number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * `2024-05-01T12:34:56.789+02:00` → `2024-05-01T10:34:56.789000Z`: the instant in UTC with all six digits
 * PostHog keeps (a JS Date would drop the microseconds, and the keyset would re-read or skip rows).
 * A time without a zone is UTC. Undefined when the text is no ISO 8601 date-time.
 */
export function utcMicros(text: string): string | undefined {
  const match = ISO.exec(text.trim());
  if (!match) return undefined;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const offset =
    zone === 'Z' ? '+00:00' : zone.length === 3 ? `${zone}:00` : zone.replace(/^(.\d\d)(\d\d)$/, '$1:$2');
  const seconds = Date.parse(`${date}T${time}${offset}`);
  if (Number.isNaN(seconds)) return undefined;
  return `${new Date(seconds).toISOString().slice(0, 19)}.${fraction.slice(0, 6).padEnd(6, '0')}Z`;
}

/** A UUID as PostHog returns it; anything else in a keyset means the answer is not what was asked for. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function where(range: EventRange, after: Keyset | null): HogQL {
  const values: HogQL['values'] = { from: range.from, to: range.to };
  const conditions = ['timestamp >= toDateTime({from})', 'timestamp < toDateTime({to})'];
  if (range.events.length) {
    const names = range.events.map((event, i) => {
      values[`event_${i}`] = event;
      return `{event_${i}}`;
    });
    conditions.push(`event IN (${names.join(', ')})`);
  }
  if (after) {
    Object.assign(values, { after_timestamp: after.timestamp, after_uuid: after.uuid });
    conditions.push(
      '(timestamp > toDateTime({after_timestamp}) OR (timestamp = toDateTime({after_timestamp}) AND uuid > toUUID({after_uuid})))',
    );
  }
  return { query: conditions.join(' AND '), values };
}

/** How many events the range holds: the progress bar's total. */
export function countQuery(range: EventRange): HogQL {
  const condition = where(range, null);
  return { query: `SELECT count() FROM events WHERE ${condition.query}`, values: condition.values };
}

/** One page: the next `limit` events after `after` (from the start when null), in keyset order. */
export function pageQuery(range: EventRange, after: Keyset | null, limit: number): HogQL {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`page size must be a whole number ≥ 1; got ${limit}`);
  const condition = where(range, after);
  return {
    query: `SELECT uuid, event, distinct_id, timestamp, properties FROM events WHERE ${condition.query} ORDER BY timestamp, uuid LIMIT {limit}`,
    values: { ...condition.values, limit },
  };
}
