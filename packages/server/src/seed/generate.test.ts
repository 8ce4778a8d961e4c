import { checkBusinessEvent, isBusinessEventName } from '@pulse/events';
import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import { describeTenants, estimateCount, generateEvents, type GenerateOptions } from './index.js';

const DAY = 86_400_000;
const end = new Date('2026-01-15T09:30:00Z');
const base: GenerateOptions = { tenants: 5, days: 30, seed: 42, end };

function take(options: GenerateOptions, limit = Infinity): CapturedEvent[] {
  const events: CapturedEvent[] = [];
  for (const event of generateEvents(options)) {
    events.push(event);
    if (events.length >= limit) break;
  }
  return events;
}

describe('generateEvents: determinism', () => {
  it('gives the same first 1,000 events for the same seed and options', () => {
    expect(take(base, 1000)).toEqual(take(base, 1000));
  });

  it('gives different events for a different seed', () => {
    const a = take(base, 1000);
    const b = take({ ...base, seed: 43 }, 1000);
    expect(b.map((e) => e.uuid)).not.toEqual(a.map((e) => e.uuid));
    expect(b.map((e) => e.properties)).not.toEqual(a.map((e) => e.properties));
  });

  it("keeps a tenant's events the same whatever other tenants are generated", () => {
    const only = (events: CapturedEvent[], id: string) => events.filter((e) => e.properties.tenant_id === id);
    const small = take({ ...base, tenants: 10, days: 5 });
    const large = take({ ...base, tenants: 25, days: 5 });
    expect(only(large, 'acme-corp')).toEqual(only(small, 'acme-corp'));
  });
});

describe('generateEvents: shape', () => {
  const events = take(base);

  it('passes the catalog for every business event of a 5-tenant × 30-day set', () => {
    const failures = events.flatMap((e) => {
      if (!isBusinessEventName(e.event)) return [`${e.event} is not a business event`];
      const result = checkBusinessEvent(e.event, { ...e.properties }, { uuid: e.uuid });
      return result.ok ? [] : result.issues.map((i) => i.message);
    });
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('emits all seven event types, the six routine ones for every tenant', () => {
    expect(new Set(events.map((e) => e.event)).size).toBe(7);
    for (const tenant of describeTenants(base)) {
      const own = new Set(events.filter((e) => e.properties.tenant_id === tenant.id).map((e) => e.event));
      own.delete('security_incident_event'); // rare by design
      expect(own.size).toBe(6);
    }
  });

  it('keeps timestamps in [end − days, end], in order, with tracking_date and uuid matching', () => {
    const from = end.getTime() - 30 * DAY;
    let previous = from;
    const uuids = new Set<string>();
    for (const e of events) {
      expect(e.timestamp).toBeGreaterThanOrEqual(previous);
      expect(e.timestamp).toBeLessThan(end.getTime());
      previous = e.timestamp;
      expect(e.properties.tracking_date).toBe(new Date(e.timestamp).toISOString());
      expect(e.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(e.uuid.replace(/-/g, '').slice(0, 12), 16)).toBe(e.timestamp);
      uuids.add(e.uuid);
    }
    expect(uuids.size).toBe(events.length);
  });

  it('uses tenant ids as tenant_id and their underscore form as distinct_id', () => {
    expect(describeTenants(base).map((t) => t.id)).toEqual([
      'acme-corp',
      'globex',
      'initech',
      'umbrella',
      'hooli',
    ]);
    for (const e of events) expect(e.distinctId).toBe(String(e.properties.tenant_id).replace(/-/g, '_'));
    expect(describeTenants({ ...base, tenants: 22 }).at(-1)?.id).toBe('tenant-0022');
    const custom = take({ ...base, tenants: ['north-co', 'south-co'], days: 2 });
    expect(new Set(custom.map((e) => e.properties.tenant_id))).toEqual(new Set(['north-co', 'south-co']));
  });

  it('weights people-driven events to business hours', () => {
    const [acme] = describeTenants(base);
    const local = events
      .filter((e) => e.properties.tenant_id === 'acme-corp' && e.event === 'revenue_impact_event')
      .map((e) => new Date(e.timestamp + acme!.utcOffsetHours * 3_600_000).getUTCHours());
    const working = local.filter((h) => h >= 8 && h < 18).length;
    expect(working / local.length).toBeGreaterThan(0.55); // 10 of 24 hours would be 0.42
  });

  it('adds $pageview and custom events only when asked', () => {
    expect(events.some((e) => !isBusinessEventName(e.event))).toBe(false);
    const mixed = take({ ...base, includeGeneric: true });
    const generic = mixed.filter((e) => !isBusinessEventName(e.event));
    expect(generic.length / mixed.length).toBeGreaterThan(0.04);
    expect(generic.length / mixed.length).toBeLessThan(0.15);
    expect(generic.some((e) => e.event === '$pageview')).toBe(true);
    for (const e of generic) {
      expect(e.properties.tenant_id).toEqual(expect.any(String));
      expect(e.distinctId).toMatch(/:user-\d+$/);
    }
  });
});

describe('estimateCount', () => {
  it.each([
    ['default mix', base],
    ['with generic events', { ...base, includeGeneric: true }],
    ['10 per tenant-day', { ...base, tenants: 40, eventsPerTenantPerDay: 10 }],
    ['one tenant, one day', { ...base, tenants: 1, days: 1 }],
  ])('is within a few %% of the count: %s', (_, options) => {
    const estimate = estimateCount(options);
    const actual = take(options).length;
    const tolerance = Math.max(0.03 * estimate, 4 * Math.sqrt(estimate));
    expect(Math.abs(actual - estimate)).toBeLessThanOrEqual(tolerance);
  });

  it('averages eventsPerTenantPerDay over many tenants', () => {
    const options = { ...base, tenants: 200, days: 7 };
    const perTenantDay = estimateCount(options) / (200 * 7);
    expect(perTenantDay).toBeGreaterThan(37);
    expect(perTenantDay).toBeLessThan(43);
  });

  it('is zero for no tenants or no days, and rejects bad options', () => {
    expect(estimateCount({ ...base, tenants: 0 })).toBe(0);
    expect(take({ ...base, days: 0 })).toEqual([]);
    expect(() => estimateCount({ ...base, tenants: -1 })).toThrow(RangeError);
    expect(() => estimateCount({ ...base, days: 1.5 })).toThrow(RangeError);
    expect(() => estimateCount({ ...base, tenants: ['a', 'a'] })).toThrow(RangeError);
    expect(() => estimateCount({ ...base, seed: Number.NaN })).toThrow(RangeError);
    expect(() => estimateCount({ ...base, end: new Date('nope') })).toThrow(RangeError);
  });
});
