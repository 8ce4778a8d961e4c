import { checkBusinessEvent, type BusinessEventName } from '@pulse/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../alerts/default-rules.js';
import { CHANGE_STEPS } from '../alerts/evaluate/change-percent.js';
import { TrendState } from '../alerts/evaluate/trend-state.js';
import type { Rule, TrendCondition } from '../alerts/rule-model.js';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { EventHistorySource, EventStateSource, RecentRow } from './alert-store.js';

const hour = 3_600_000;
const DAY = 24 * hour;
const T_END = Date.parse('2026-03-10T00:00:00Z');

/** A deterministic stream of numbers in [0, 1) (mulberry32): the same store every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function captured(
  name: BusinessEventName,
  tenant: string,
  at: number,
  props: Record<string, unknown>,
  uuid: string,
): CapturedEvent {
  const properties = { tenant_id: tenant, ...props };
  const check = checkBusinessEvent(name, properties, { uuid });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return { uuid, event: name, distinctId: tenant, timestamp: at, properties };
}

/**
 * 45 days of two event types for four tenants, with optional properties left out at random. Values are
 * binary fractions and small integers, so sums are exact in any order and both states compare with toEqual.
 */
function history(): CapturedEvent[] {
  const r = random(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const maybe = (props: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(props).filter(() => r() < 0.8));
  const out: CapturedEvent[] = [];
  const tenants = ['acme', 'globex', 'initech', 'umbrella'];
  for (let i = 0; i < 3000; i++) {
    const tenant = pick(tenants);
    // Each tenant stops at its own time: lookbacks are per tenant's newest event.
    const end = T_END - tenants.indexOf(tenant) * 3 * DAY;
    const at = end - Math.floor(r() * 45 * DAY);
    const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    if (r() < 0.5)
      out.push(
        captured(
          'email_deliverability_event',
          tenant,
          at,
          {
            email_count: pick([0, 10, 100, 1000, 2000]),
            delivery_outcome: pick(['delivered', 'bounced', 'deferred']),
            ...maybe({
              bounce_rate: pick([0.25, 0.5, 0.125, 0.0625]),
              spam_rate: pick([0, 0.5]),
              provider: pick(['sendgrid', 'ses']),
              risk_level: pick(['low', 'high', 'critical']),
              requires_immediate_attention: pick([true, false]),
              tracking_date: new Date(at).toISOString(),
            }),
          },
          uuid,
        ),
      );
    else
      out.push(
        captured(
          'revenue_impact_event',
          tenant,
          at,
          {
            impact_amount: pick([100, 250.5, 1000, 0]),
            impact_type: pick(['negative', 'positive']),
            ...maybe({
              event_type: pick(['churn', 'expansion', 'refund']),
              customer_ltv: pick([50, 500, 5000]),
              urgency_level: pick(['low', 'high', 'critical']),
              affected_emails: pick([1, 20, 300]),
              bounce_rate: pick([0.25, 0.5]),
              mitigation_actions: pick([['pause sends'], ['rotate IPs', 'warm up']]),
              tracking_date: new Date(at - pick([0, DAY])).toISOString(),
            }),
          },
          uuid,
        ),
      );
  }
  return out;
}

const rule = (id: string, events: BusinessEventName[], key: string[], condition: TrendCondition): Rule => ({
  id,
  name: id,
  severity: 'high',
  enabled: true,
  events,
  condition,
  key,
  cooldownMinutes: 60,
  resolve: { mode: 'clear', afterMinutes: 0 },
});

const byId = (id: string) => defaultRules.find((r) => r.id === id) as Rule;

/** Rule shapes: every aggregate, keys of each scalar type, each predicate op, one rule over two types. */
const shapes: Rule[] = [
  byId('bounce-rate-anomaly'),
  byId('revenue-loss-anomaly'),
  rule('count-by-type', ['revenue_impact_event'], ['event_type', 'affected_emails'], {
    kind: 'change_percent',
    aggregate: 'count',
    property: 'impact_type',
    direction: 'either',
    minutes: 24 * 60,
    percent: 50,
    minSample: 1,
    where: [
      { property: 'customer_ltv', op: '>=', value: 500 },
      { property: 'urgency_level', op: 'in', value: ['high', 'critical', 3] },
      { property: 'event_type', op: '!=', value: 'refund' },
    ],
  }),
  rule('mean-by-provider', ['email_deliverability_event'], ['provider', 'requires_immediate_attention'], {
    kind: 'anomaly',
    aggregate: 'mean',
    property: 'bounce_rate',
    direction: 'up',
    bucketMinutes: 6 * 60,
    baselineBuckets: 20,
    method: 'zscore',
    threshold: 3,
    minSample: 5,
    where: [
      { property: 'email_count', op: '>', value: 10 },
      { property: 'risk_level', op: 'not_in', value: ['critical'] },
      { property: 'spam_rate', op: 'exists' },
      { property: 'delivery_outcome', op: '==', value: 'bounced' },
    ],
  }),
  rule('weighted-over-two-types', ['email_deliverability_event', 'revenue_impact_event'], [], {
    kind: 'anomaly',
    aggregate: 'weighted_mean',
    property: 'bounce_rate',
    weight: 'spam_rate',
    direction: 'either',
    bucketMinutes: 12 * 60,
    baselineBuckets: 10,
    method: 'mad',
    threshold: 3,
    minSample: 3,
  }),
];

const stored = history();

/** The events a store holds for the contract, and its alert event reads. */
export interface AlertEventFixture {
  source: EventStateSource & EventHistorySource;
  close(): Promise<void>;
}

/** The store's raw path only: what a store that cannot sum a rule's filters leaves the evaluator with. */
const eventsOnly = (source: EventStateSource): EventStateSource => ({
  latestByEntity: (q) => source.latestByEntity(q),
  recentEvents: (q) => source.recentEvents(q),
  trendBuckets: async () => null,
});

/** The state of a rule rebuilt from `source`, and the path it took. */
async function rebuilt(r: Rule, source: EventStateSource) {
  const c = r.condition as TrendCondition;
  const spec =
    c.kind === 'anomaly'
      ? { bucketMs: c.bucketMinutes * 60_000, span: c.baselineBuckets + 1 }
      : { bucketMs: (c.minutes * 60_000) / CHANGE_STEPS, span: 2 * CHANGE_STEPS };
  const state = new TrendState(r, c, spec, () => {});
  const path = await state.rebuild(source);
  const snapshot = () =>
    [...state.series.entries()]
      .map(([key, s]) => [key, { ...s, buckets: [...s.buckets].sort((a, b) => a[0] - b[0]) }])
      .sort();
  const series = snapshot();
  // The lookback's events coming again (a replay after the rebuild) are recognised by id: no change.
  const newest = new Map<string, number>();
  const typeAndTenant = (e: CapturedEvent) => `${e.event} ${String(e.properties.tenant_id)}`;
  for (const e of stored)
    newest.set(typeAndTenant(e), Math.max(newest.get(typeAndTenant(e)) ?? 0, e.timestamp));
  for (const e of stored)
    if (
      r.events.includes(e.event as BusinessEventName) &&
      e.timestamp > (newest.get(typeAndTenant(e)) ?? 0) - state.historyMs
    )
      state.observe(String(e.properties.tenant_id), e.uuid, e.timestamp, e.properties, null);
  expect(snapshot()).toEqual(series);
  return { path, series };
}

const tenantOf = (e: CapturedEvent) => String(e.properties.tenant_id);
const valueOf = (e: CapturedEvent, column: string): unknown => e.properties[column] ?? null;
const byTime = (a: { timestamp: number; uuid: string }, b: { timestamp: number; uuid: string }) =>
  a.timestamp - b.timestamp || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);
const ofType = (name: BusinessEventName) => stored.filter((e) => e.event === name);

/** What recentEvents should return, from the events themselves: each tenant's lookback, oldest first. */
function expectedRecent(name: BusinessEventName, columns: string[], minutes: number): RecentRow[] {
  const newest = new Map<string, number>();
  for (const e of ofType(name)) newest.set(tenantOf(e), Math.max(newest.get(tenantOf(e)) ?? 0, e.timestamp));
  return ofType(name)
    .filter((e) => e.timestamp > (newest.get(tenantOf(e)) ?? 0) - minutes * 60_000)
    .map((e) => ({
      tenantId: tenantOf(e),
      uuid: e.uuid,
      timestamp: e.timestamp,
      values: Object.fromEntries(columns.map((c) => [c, valueOf(e, c)])),
    }))
    .sort(byTime);
}

/**
 * What the alert engine reads of the stored events at start and for a rule preview (EventStateSource,
 * EventHistorySource); every event engine passes it on the same events. `open` stores `events`.
 */
export function runAlertEventSourceContract(
  name: string,
  open: (events: readonly CapturedEvent[], ingestedAt: number) => Promise<AlertEventFixture>,
): void {
  describe(`alert event source contract: ${name}`, () => {
    let fixture: AlertEventFixture;
    let source: EventStateSource & EventHistorySource;
    beforeAll(async () => {
      fixture = await open(stored, T_END);
      source = fixture.source;
    }, 120_000);
    afterAll(async () => {
      await fixture?.close();
    });

    it('latestByEntity: the newest event per tenant and entity, with its values, oldest first', async () => {
      const query = {
        event: 'revenue_impact_event' as const,
        entity: 'event_type',
        columns: ['impact_amount', 'customer_ltv', 'mitigation_actions', 'tracking_date'],
        nonNull: 'customer_ltv',
      };
      const newest = new Map<string, CapturedEvent>();
      for (const e of ofType(query.event)) {
        if (valueOf(e, query.entity) === null || valueOf(e, query.nonNull) === null) continue;
        const key = `${tenantOf(e)} ${String(valueOf(e, query.entity))}`;
        const seen = newest.get(key);
        if (!seen || byTime(seen, e) < 0) newest.set(key, e);
      }
      const expected = [...newest.values()].sort(byTime).map((e) => ({
        tenantId: tenantOf(e),
        entity: String(valueOf(e, query.entity)),
        month: null,
        uuid: e.uuid,
        timestamp: e.timestamp,
        values: Object.fromEntries(query.columns.map((c) => [c, valueOf(e, c)])),
      }));
      expect(expected.length).toBeGreaterThan(4);
      expect((await source.latestByEntity(query)).sort(byTime)).toEqual(expected);
    });

    it('latestByEntity: per UTC month, since a time', async () => {
      const since = T_END - 20 * DAY;
      const query = {
        event: 'email_deliverability_event' as const,
        entity: 'provider',
        columns: ['requires_immediate_attention'],
        byMonth: true,
        since,
      };
      const month = (t: number) => new Date(t).toISOString().slice(0, 7);
      const newest = new Map<string, CapturedEvent>();
      for (const e of ofType(query.event)) {
        if (valueOf(e, query.entity) === null || e.timestamp < since) continue;
        const key = `${tenantOf(e)} ${String(valueOf(e, query.entity))} ${month(e.timestamp)}`;
        const seen = newest.get(key);
        if (!seen || byTime(seen, e) < 0) newest.set(key, e);
      }
      const expected = [...newest.values()].sort(byTime).map((e) => ({
        tenantId: tenantOf(e),
        entity: String(valueOf(e, query.entity)),
        month: month(e.timestamp),
        uuid: e.uuid,
        timestamp: e.timestamp,
        values: { requires_immediate_attention: valueOf(e, 'requires_immediate_attention') },
      }));
      expect(new Set(expected.map((r) => r.month)).size).toBe(2);
      expect((await source.latestByEntity(query)).sort(byTime)).toEqual(expected);
    });

    it('recentEvents: the minutes before each tenant’s newest event of the type', async () => {
      const columns = ['bounce_rate', 'provider', 'requires_immediate_attention', 'tracking_date'];
      const query = { event: 'email_deliverability_event' as const, columns, minutes: 3 * 24 * 60 };
      const expected = expectedRecent(query.event, columns, query.minutes);
      expect(new Set(expected.map((r) => r.tenantId)).size).toBe(4);
      expect((await source.recentEvents(query)).sort(byTime)).toEqual(expected);
    });

    it('eventsBetween: the range’s events oldest first, absent properties left out, cut at the limit', async () => {
      const from = T_END - 10 * DAY;
      const to = T_END - 5 * DAY;
      const between = ofType('revenue_impact_event')
        .filter((e) => e.timestamp >= from && e.timestamp <= to && tenantOf(e) !== 'globex')
        .sort(byTime);
      const expected = between.map((e) => ({
        tenantId: tenantOf(e),
        uuid: e.uuid,
        timestamp: e.timestamp,
        values: Object.fromEntries(Object.entries(e.properties).filter(([, v]) => v !== undefined)),
      }));
      const tenants = ['acme', 'initech', 'umbrella'];
      const query = { event: 'revenue_impact_event' as const, from, to, tenants };
      expect(await source.eventsBetween({ ...query, limit: 10_000 })).toEqual(expected);
      expect(await source.eventsBetween({ ...query, limit: 7 })).toEqual(expected.slice(0, 7));
      expect(await source.eventsBetween({ ...query, from: 0, to: T_END - 100 * DAY, limit: 10 })).toEqual([]);
    });

    it('ingestionMark, ingestedAfter: the newest instant and its uuids; the events a saved state lacks, each once', async () => {
      const mark = await source.ingestionMark?.();
      expect(mark?.deletions).toBe(0);
      expect(mark?.newestIngestedAt).toBe(T_END);
      expect([...(mark?.uuidsAtNewest ?? [])].sort()).toEqual(stored.map((e) => e.uuid).sort());
      const types = ['revenue_impact_event', 'email_deliverability_event'] as const;
      const ofTypes = stored.filter((e) => (types as readonly string[]).includes(e.event));
      const asRow = (e: CapturedEvent) => ({
        event: e.event,
        tenantId: tenantOf(e),
        uuid: e.uuid,
        timestamp: e.timestamp,
        ingestedAt: T_END,
        values: Object.fromEntries(Object.entries(e.properties).filter(([, v]) => v !== undefined)),
      });
      const read = async (ingestedAt: number, uuids: readonly string[]) =>
        ((await source.ingestedAfter?.({ events: types, ingestedAt, uuids })) ?? []).sort(byTime);
      // A state saved mid-commit holds some of the instant's events: the others come back.
      const held = ofTypes.slice(5).map((e) => e.uuid);
      expect(await read(T_END, held)).toEqual(ofTypes.slice(0, 5).map(asRow).sort(byTime));
      expect(await read(T_END - 1, [])).toEqual(ofTypes.map(asRow).sort(byTime));
      expect(
        await read(
          T_END,
          stored.map((e) => e.uuid),
        ),
      ).toEqual([]);
    });

    describe('trend state from the store’s sums', () => {
      it.each(shapes.map((r) => [r.id, r] as const))(
        '%s: equals the state replayed from the raw events',
        async (_id, r) => {
          const fromSums = await rebuilt(r, source);
          const fromEvents = await rebuilt(r, eventsOnly(source));
          expect(fromSums.path).toBe('sums');
          expect(fromEvents.path).toBe('events');
          expect(fromSums.series.length).toBeGreaterThan(1);
          expect(fromSums.series).toEqual(fromEvents.series);
        },
      );

      it('falls back to the events for a filter the store does not express (a date-time value)', async () => {
        const r = rule('by-date', ['email_deliverability_event'], [], {
          ...(byId('bounce-rate-anomaly').condition as TrendCondition),
          where: [{ property: 'tracking_date', op: '==', value: '2026-03-01T00:00:00.000Z' }],
        });
        expect((await rebuilt(r, source)).path).toBe('events');
      });
    });
  });
}
