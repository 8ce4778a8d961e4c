/**
 * Event time resolution. Mirrors PostHog's common/types timestamp.rs (`parse_event_timestamp`,
 * `parse_date`) plus capture's sent_at readers, with one Pulse addition: an event with
 * no usable `timestamp`/`offset` takes `properties.tracking_date` before falling back to receipt.
 */

const DAY_MS = 86_400_000;
/** Mirrors FUTURE_EVENT_HOURS_CUTOFF_MILLIS: events more than 23 h ahead are clamped to now. */
const FUTURE_CUTOFF_MS = 23 * 3_600_000;
/** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: outside years 0..9999 capture stores the epoch. */
const MIN_MS = -62_167_219_200_000;
const MAX_EXCLUSIVE_MS = 253_402_300_800_000;
/** capture's `EventQuery::sent_at` ignores query values before 2021 (seconds sent as ms). */
const QUERY_SENT_AT_MIN_MS = 1_609_459_200_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (works for years 0..9999, unlike Date.UTC). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Value of `count` ASCII digits at `from`, or -1. */
function digitsAt(text: string, from: number, count: number): number {
  if (from + count > text.length) return -1;
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Named zones dateparser and RFC 2822 know, in minutes east of UTC. */
const ZONE_MINUTES = new Map<string, number>([
  ['Z', 0],
  ['UT', 0],
  ['UTC', 0],
  ['GMT', 0],
  ['EST', -300],
  ['EDT', -240],
  ['CST', -360],
  ['CDT', -300],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
]);

/** Minutes east of UTC for `+HH`, `+HHMM`, `+HH:MM` (and '-'), or undefined. */
function numericOffset(text: string, from: number): number | undefined {
  const sign = text.charCodeAt(from) === 0x2b ? 1 : text.charCodeAt(from) === 0x2d ? -1 : 0;
  if (sign === 0) return undefined;
  const rest = text.length - from - 1;
  const hours = digitsAt(text, from + 1, 2);
  let minutes: number;
  if (rest === 2) minutes = 0;
  else if (rest === 4) minutes = digitsAt(text, from + 3, 2);
  else if (rest === 5 && text.charCodeAt(from + 3) === 0x3a) minutes = digitsAt(text, from + 4, 2);
  else return undefined;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/** Zone suffix starting at `from` (may be empty): minutes east of UTC, null if absent, undefined if invalid. */
function zoneAt(text: string, from: number): number | null | undefined {
  if (from === text.length) return null;
  const first = text.charCodeAt(from);
  if ((first === 0x5a || first === 0x7a) && from + 1 === text.length) return 0; // 'Z' / 'z', the common case
  let start = from;
  if (text.charCodeAt(start) === 0x20) start++; // dateparser's `\s*` before a zone
  const numeric = numericOffset(text, start);
  if (numeric !== undefined) return numeric;
  return ZONE_MINUTES.get(text.slice(start).toUpperCase());
}

/**
 * ISO 8601 / RFC 3339 family: `YYYY-MM-DD`, then `T`, `t` or a space, `HH:MM[:SS[.fraction]]`,
 * then `Z`, `±HH[:MM]`, `±HHMM`, a zone name, or nothing (UTC: capture's servers run in UTC, so
 * dateparser's "local" is UTC). Date-only input gets `dateOnlyMsOfDay` when given.
 */
function parseIso(
  text: string,
  requireZone: boolean,
  dateOnlyMsOfDay: number | undefined,
): number | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const dayMs = daysFromCivil(year, month, day) * DAY_MS;
  if (text.length === 10)
    return dateOnlyMsOfDay === undefined || requireZone ? undefined : dayMs + dateOnlyMsOfDay;

  const sep = text.charCodeAt(10);
  if (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) return undefined;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (hour < 0 || hour > 23 || text.charCodeAt(13) !== 0x3a || minute < 0 || minute > 59) return undefined;
  let second = 0;
  let millis = 0;
  let i = 16;
  if (text.charCodeAt(i) === 0x3a) {
    second = digitsAt(text, 17, 2);
    if (second < 0 || second > 60) return undefined; // 60: leap second, as chrono allows
    i = 19;
    if (text.charCodeAt(i) === 0x2e) {
      const fractionStart = ++i;
      while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
      if (i === fractionStart) return undefined;
      // Milliseconds, truncated (chrono keeps nanoseconds; the stored value is ms anyway).
      const digits = Math.min(3, i - fractionStart);
      millis = digitsAt(text, fractionStart, digits) * (digits === 1 ? 100 : digits === 2 ? 10 : 1);
    }
  }
  const zone = zoneAt(text, i);
  if (zone === undefined || (zone === null && requireZone)) return undefined;
  return dayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - (zone ?? 0) * 60_000;
}

const RFC2822 =
  /^\s*(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s*,\s*)?(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{2,4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|[A-Za-z]{1,3})\s*$/i;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** chrono's `parse_from_rfc2822`, e.g. `Tue, 1 Jul 2003 10:52:37 +0200` (weekday must match). */
function parseRfc2822(text: string): number | undefined {
  const m = RFC2822.exec(text);
  if (m === null) return undefined;
  const [, weekday, dayText, monthText, yearText, hourText, minuteText, secondText, zoneText] =
    m as unknown as [
      string,
      string | undefined,
      string,
      string,
      string,
      string,
      string,
      string | undefined,
      string,
    ];
  let year = Number(yearText);
  if (yearText.length === 2) year += year < 50 ? 2000 : 1900;
  else if (yearText.length === 3) year += 1900;
  const month = MONTHS.indexOf(monthText.toLowerCase()) + 1;
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return undefined;
  const days = daysFromCivil(year, month, day);
  if (weekday !== undefined && WEEKDAYS[(((days + 4) % 7) + 7) % 7] !== weekday.toLowerCase())
    return undefined;
  let zone: number | undefined;
  if (zoneText.startsWith('+') || zoneText.startsWith('-')) zone = numericOffset(zoneText, 0);
  else zone = ZONE_MINUTES.get(zoneText.toUpperCase()) ?? (zoneText.length === 1 ? 0 : undefined); // military zones read as -0000
  if (zone === undefined) return undefined;
  return days * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 - zone * 60_000;
}

/** dateparser's unix timestamps: exactly 10 digits = seconds, 13 = ms, 19 = ns. */
function parseEpochDigits(text: string): number | undefined {
  const length = text.length;
  if (length !== 10 && length !== 13 && length !== 19) return undefined;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return undefined;
  }
  if (length === 10) return Number(text) * 1000;
  if (length === 13) return Number(text);
  return text <= '9223372036854775807' ? Number(text.slice(0, 13)) : undefined; // must fit an i64
}

/**
 * Mirrors `parse_date`: RFC 3339 (after turning `+03` into `+03:00`), then dateparser's formats,
 * then a civil `YYYY-MM-DDTHH:MM:SS` read as UTC. Supported: ISO/RFC 3339 with `T`, `t` or space,
 * with or without seconds, fraction and zone; `YYYY-MM-DD`; RFC 2822; 10/13/19-digit epochs.
 * Not supported (dateparser-only oddities): time-only, month-name, slash, dot and Chinese formats.
 * A date-only input takes `dateOnlyMsOfDay` as its time (dateparser uses the current time of day).
 */
export function parseDate(text: string, dateOnlyMsOfDay: number): number | undefined {
  const first = text.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) {
    return parseIso(text, false, dateOnlyMsOfDay) ?? parseEpochDigits(text) ?? parseRfc2822(text);
  }
  return parseRfc2822(text);
}

/**
 * The batch envelope's `sent_at`. Mirrors `OffsetDateTime::parse(value, &Iso8601::DEFAULT)`: an
 * ISO 8601 date-time that carries its offset; anything else is ignored.
 */
export function parseEnvelopeSentAt(value: unknown): number | undefined {
  return typeof value === 'string' ? parseIso(value, true, undefined) : undefined;
}

/**
 * The query's `sent_at` (alias `_`), epoch ms. Mirrors `EventQuery::sent_at`: values that land
 * before 2021 are taken to be seconds and ignored. Non-integers are ignored (capture's query
 * extractor would reject the request; ignoring them is the lenient side).
 */
export function parseQuerySentAt(query: URLSearchParams): number | undefined {
  const raw = query.get('sent_at') ?? query.get('_');
  if (raw === null || !/^[+-]?\d{1,19}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= QUERY_SENT_AT_MIN_MS && value < MAX_EXCLUSIVE_MS ? value : undefined;
}

/** What one event contributes to its timestamp. */
export interface TimestampInputs {
  /** Event `timestamp` (a string when present; shape validation already refused other types). */
  timestamp: unknown;
  /** Event `offset` in ms (an integer when present). */
  offset: unknown;
  /** `$clock_skew` ms from the event or its properties, if an integer. */
  clockSkew: number | undefined;
  /** `properties.$ignore_sent_at === true`. */
  ignoreSentAt: boolean;
  /** `properties.tracking_date`. */
  trackingDate: unknown;
}

/**
 * Mirrors `parse_event_timestamp`: start from `now`; a parseable `timestamp` is skew-corrected by
 * `now - sent_at` (unless `$ignore_sent_at`); `offset` overrides it as `now - offset`;
 * `$clock_skew` is added; more than 23 h ahead clamps to `now`; outside years 0..9999 → epoch 0.
 * Pulse addition: when neither `timestamp` nor `offset` was usable, a parseable `tracking_date`
 * (date-only → midnight UTC) is the time, without skew adjustments but with the same clamps.
 */
export function resolveTimestamp(inputs: TimestampInputs, now: number, sentAt: number | undefined): number {
  let ts = now;
  let fromEvent = false;
  if (typeof inputs.timestamp === 'string') {
    const parsed = parseDate(inputs.timestamp, ((now % DAY_MS) + DAY_MS) % DAY_MS);
    if (parsed !== undefined) {
      ts = sentAt !== undefined && !inputs.ignoreSentAt ? now + (parsed - sentAt) : parsed;
      fromEvent = true;
    }
  }
  if (typeof inputs.offset === 'number') {
    ts = now - inputs.offset;
    fromEvent = true;
  }
  const trackingDate =
    fromEvent || typeof inputs.trackingDate !== 'string' ? undefined : parseDate(inputs.trackingDate, 0);
  if (trackingDate !== undefined) ts = trackingDate;
  else if (inputs.clockSkew !== undefined) ts += inputs.clockSkew;

  if (ts - now > FUTURE_CUTOFF_MS) ts = now;
  if (!(ts >= MIN_MS && ts < MAX_EXCLUSIVE_MS)) ts = 0;
  return ts;
}
