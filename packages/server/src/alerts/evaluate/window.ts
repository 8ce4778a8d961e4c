import type { EventStateSource } from '../../storage/alert-store.js';
import type { StoredEvent } from '../../storage/event-store.js';
import { capitalize, formatMeasure, formatMinutes, formatValue, propertyLabel } from '../format.js';
import type { Rule, WindowCondition } from '../rule-model.js';
import type { Alert } from '../types.js';
import {
  keyPartsOf,
  readKeyParts,
  stateKey,
  subjectOf,
  summaryOf,
  type Evaluator,
  type EvaluatorContext,
  type Outcome,
  writeKeyParts,
} from './evaluator.js';
import { allHold, compareNumber } from './predicates.js';

interface Point {
  t: number;
  x: number;
  w: number;
  a: number;
  uuid: string;
}

interface Stats {
  measure: number | null;
  sample: number;
  amount: number;
  events: number;
  end: number;
}

/** The points of one tenant and key, sorted by time, with running sums over the window ending at maxT. */
interface Series {
  tenantId: string;
  keyParts: Record<string, string>;
  points: Point[];
  uuids: Set<string>;
  maxT: number;
  /** Index of the first point of the current window (t > maxT − span). */
  lo: number;
  sw: number;
  sxw: number;
  sx: number;
  sa: number;
}

/** Late events re-evaluate at most this many of the windows they fall into. */
const MAX_RESTATED_WINDOWS = 64;
/**
 * The threshold nudged against float noise in sums: a computed 0.15000000000000002 does not pass "> 0.15",
 * a computed 0.14999999999999997 passes ">= 0.15".
 */
export function tolerant(op: '>' | '>=' | '<' | '<=', value: number): number {
  const e = 1e-9 * Math.max(1, Math.abs(value));
  return op === '>' || op === '<=' ? value + e : value - e;
}

/**
 * A windowed aggregate per tenant and key over event time, e.g. the email_count-weighted bounce_rate of
 * the last 60 minutes with at least 500 emails. In-order events cost O(1) amortized (running sums);
 * a late event (up to one window behind the newest) re-evaluates the windows it falls into.
 */
export function windowEvaluator(rule: Rule, c: WindowCondition, context: EvaluatorContext): Evaluator {
  const span = c.minutes * 60_000;
  const margin = rule.resolve.hysteresis ?? 0;
  const series = new Map<string, Series>();

  const fires = (s: Stats, m = 0) =>
    s.measure !== null &&
    s.sample >= c.minSample &&
    compareNumber(s.measure, c.op, tolerant(c.op, c.value), m);

  function measureOf(sw: number, sxw: number, sx: number, n: number, max: number): number | null {
    switch (c.aggregate) {
      case 'weighted_mean':
        return sw > 0 ? sxw / sw : null;
      case 'mean':
        return n > 0 ? sx / n : null;
      case 'sum':
        return sx;
      case 'count':
        return n;
      case 'max':
        return n > 0 ? max : null;
    }
  }

  const sampleOf = (sw: number, n: number) => (c.aggregate === 'weighted_mean' ? sw : n);

  /** First index with t > bound. */
  function upperBound(points: Point[], bound: number): number {
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((points[mid] as Point).t <= bound) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The window (end − span, end], computed from the points. */
  function windowAt(s: Series, end: number): Stats {
    let sw = 0;
    let sxw = 0;
    let sx = 0;
    let sa = 0;
    let n = 0;
    let max = -Infinity;
    for (let i = upperBound(s.points, end - span); i < s.points.length; i++) {
      const p = s.points[i] as Point;
      if (p.t > end) break;
      sw += p.w;
      sxw += p.x * p.w;
      sx += p.x;
      sa += p.a;
      n++;
      if (p.x > max) max = p.x;
    }
    return { measure: measureOf(sw, sxw, sx, n, max), sample: sampleOf(sw, n), amount: sa, events: n, end };
  }

  /** The window ending at the newest point, from the running sums (max needs a scan). */
  function current(s: Series): Stats {
    if (c.aggregate === 'max') return windowAt(s, s.maxT);
    const n = s.points.length - s.lo;
    return {
      measure: measureOf(s.sw, s.sxw, s.sx, n, 0),
      sample: sampleOf(s.sw, n),
      amount: s.sa,
      events: n,
      end: s.maxT,
    };
  }

  const add = (s: Series, p: Point, sign: 1 | -1) => {
    s.sw += sign * p.w;
    s.sxw += sign * p.x * p.w;
    s.sx += sign * p.x;
    s.sa += sign * p.a;
  };

  /** Adds a point; false when it is a duplicate or older than the late-event horizon. */
  function insert(s: Series, p: Point): boolean {
    // Late by up to one window: every window it falls into then starts after maxT − 2 spans (all kept).
    if (s.uuids.has(p.uuid) || p.t <= s.maxT - span) return false;
    s.uuids.add(p.uuid);
    if (p.t >= s.maxT) {
      s.points.push(p);
      add(s, p, 1);
      s.maxT = p.t;
      while ((s.points[s.lo] as Point).t <= s.maxT - span) add(s, s.points[s.lo++] as Point, -1);
    } else {
      const at = upperBound(s.points, p.t);
      s.points.splice(at, 0, p);
      if (p.t > s.maxT - span) add(s, p, 1);
      else s.lo++;
    }
    // Drop points no late event can reach any more, in chunks (amortized O(1)).
    const stale = upperBound(s.points, s.maxT - 2 * span);
    if (stale > 256 || (stale > 0 && stale * 2 > s.points.length)) {
      for (const old of s.points.splice(0, stale)) s.uuids.delete(old.uuid);
      s.lo -= stale;
    }
    return true;
  }

  function seriesFor(tenantId: string, keyParts: Record<string, string>): Series {
    const key = stateKey(tenantId, Object.values(keyParts));
    let s = series.get(key);
    if (!s) {
      s = {
        tenantId,
        keyParts,
        points: [],
        uuids: new Set(),
        maxT: -Infinity,
        lo: 0,
        sw: 0,
        sxw: 0,
        sx: 0,
        sa: 0,
      };
      series.set(key, s);
    }
    return s;
  }

  function pointOf(uuid: string, t: number, props: Readonly<Record<string, unknown>>): Point | null {
    const x = props[c.property];
    const w = c.weight ? props[c.weight] : 1;
    if (typeof x !== 'number' || typeof w !== 'number' || w < 0) return null;
    if (c.where && !allHold(c.where, props)) return null;
    const a = c.amount ? props[c.amount] : 0;
    return { t, x, w, a: typeof a === 'number' ? a : 0, uuid };
  }

  const aggregateText: Record<WindowCondition['aggregate'], string> = {
    weighted_mean: '',
    mean: 'average ',
    sum: 'total ',
    count: 'number of ',
    max: 'highest ',
  };
  /** `Bounce rate 7.5 %`: the measure in words with its value. */
  const measured = (s: Stats) =>
    c.aggregate === 'count'
      ? `number of events ${formatMeasure('count', c.property, s.measure)}`
      : `${aggregateText[c.aggregate]}${propertyLabel(c.property)} ${formatValue(c.property, s.measure)}`;
  const limit = `(${c.op.startsWith('>') ? 'limit' : 'minimum'} ${formatMeasure(c.aggregate, c.property, c.value)})`;
  const describe = (s: Stats) => {
    const sample =
      c.aggregate === 'weighted_mean'
        ? `${formatValue(c.weight ?? '', s.sample)} ${propertyLabel(c.weight ?? '')} in ${s.events} events`
        : `${s.events} events`;
    return `${measured(s)} over the last ${formatMinutes(c.minutes)}, across ${sample} ${limit}`;
  };

  function fire(s: Series, stats: Stats, event: StoredEvent): Outcome {
    const amount = c.amount ? stats.amount : null;
    const subject = subjectOf(s.keyParts);
    return {
      verdict: 'fire',
      tenantId: s.tenantId,
      keyParts: s.keyParts,
      text: () => ({
        title: `${capitalize(measured(stats))} at ${s.tenantId}${subject ? ` (${subject})` : ''} over the last ${formatMinutes(c.minutes)} ${limit}`,
        summary: summaryOf(rule, stats.end, describe(stats)),
      }),
      value: stats.measure,
      amount,
      eventUuid: event.uuid,
      eventAt: stats.end,
    };
  }

  return {
    rule,
    // Late events reach one window behind the newest: two windows of history.
    historyMs: 2 * span,
    onEvent(event) {
      const tenantId = event.tenantId;
      if (tenantId === null) return [];
      const point = pointOf(event.uuid, event.timestamp, event.properties);
      if (!point) return [];
      const s = seriesFor(tenantId, keyPartsOf(rule, event.properties));
      const late = point.t < s.maxT;
      if (!insert(s, point)) return [];
      const latest = current(s);
      if (fires(latest)) return [fire(s, latest, event)];
      if (late) {
        // Restatement: the windows ending at the late event and at each later point it falls into.
        const ends = [point.t];
        for (
          let i = upperBound(s.points, point.t);
          i < s.points.length && ends.length < MAX_RESTATED_WINDOWS;
          i++
        ) {
          const t = (s.points[i] as Point).t;
          if (t >= point.t + span) break;
          if (t !== ends[ends.length - 1]) ends.push(t);
        }
        for (const end of ends) {
          const stats = windowAt(s, end);
          if (fires(stats)) return [fire(s, stats, event)];
        }
      }
      if (!context.hasActive(rule.id, tenantId)) return [];
      const holdNow = latest.sample < c.minSample || fires(latest, margin);
      return [{ verdict: holdNow ? 'hold' : 'clear', tenantId, keyParts: s.keyParts, eventAt: latest.end }];
    },

    onTick(now: number, active: readonly Alert[]) {
      const outcomes: Outcome[] = [];
      for (const alert of active) {
        const s = series.get(stateKey(alert.tenantId, Object.values(alert.keyParts)));
        // No points left (e.g. after a restart past the window): nothing supports the alert any more.
        const stats = s ? (now <= s.maxT ? current(s) : windowAt(s, now)) : null;
        const holdNow = stats !== null && stats.sample >= c.minSample && fires(stats, margin);
        outcomes.push({
          verdict: holdNow ? 'hold' : 'clear',
          tenantId: alert.tenantId,
          keyParts: alert.keyParts,
        });
      }
      return outcomes;
    },

    // The points a late event can still reach (what the store's lookback gives), with the running sums as kept.
    saveState(out) {
      out.word(series.size);
      for (const [key, s] of series) {
        const stale = upperBound(s.points, s.maxT - 2 * span);
        out.string(key);
        out.string(s.tenantId);
        writeKeyParts(out, s.keyParts);
        for (const n of [s.maxT, s.sw, s.sxw, s.sx, s.sa]) out.number(n);
        out.word(s.lo - stale);
        out.word(s.points.length - stale);
        for (let i = stale; i < s.points.length; i++) {
          const p = s.points[i] as Point;
          for (const n of [p.t, p.x, p.w, p.a]) out.number(n);
          out.uuid(p.uuid);
        }
      }
    },

    replay(event) {
      const point = event.tenantId === null ? null : pointOf(event.uuid, event.timestamp, event.properties);
      if (point && event.tenantId !== null)
        insert(seriesFor(event.tenantId, keyPartsOf(rule, event.properties)), point);
    },

    loadState(input) {
      for (let i = input.word(); i > 0; i--) {
        const key = input.string();
        const tenantId = input.string();
        const keyParts = readKeyParts(input);
        const [maxT, sw, sxw, sx, sa] = [1, 2, 3, 4, 5].map(() => input.number()) as [
          number,
          number,
          number,
          number,
          number,
        ];
        const lo = input.word();
        const points: Point[] = [];
        for (let n = input.word(); n > 0; n--)
          points.push({
            t: input.number(),
            x: input.number(),
            w: input.number(),
            a: input.number(),
            uuid: input.uuid(),
          });
        const uuids = new Set(points.map((p) => p.uuid));
        series.set(key, { tenantId, keyParts, points, uuids, maxT, lo, sw, sxw, sx, sa });
      }
    },

    async rebuild(source: EventStateSource) {
      const columns = [
        c.property,
        c.weight,
        c.amount,
        ...rule.key,
        ...(c.where ?? []).map((p) => p.property),
      ];
      for (const event of rule.events) {
        const rows = await source.recentEvents({
          event,
          columns: [...new Set(columns.filter((x): x is string => typeof x === 'string'))],
          minutes: 2 * c.minutes,
        });
        for (const row of rows) {
          const point = pointOf(row.uuid, row.timestamp, row.values);
          if (point) insert(seriesFor(row.tenantId, keyPartsOf(rule, row.values)), point);
        }
      }
    },
  };
}
