import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import type { RetentionPolicy } from '../storage/retention-store.js';
import { checkPolicies, DAY_MS, daysFor, parsePolicies, planCuts, presentPolicy } from './policy.js';

const policy = (event: RetentionPolicy['event'], days: number | null, tenant: string | null = null) => ({
  event,
  tenant,
  days,
});

describe('retention policy validation', () => {
  it('accepts types, generic and *, tenant overrides, and forever (as "forever" or null)', () => {
    expect(
      parsePolicies([
        { event: 'revenue_impact_event', days: 2555 },
        { event: 'resource_usage_event', days: 90, tenant: 'acme' },
        { event: 'generic', days: 'forever' },
        { event: '*', days: null },
      ]),
    ).toEqual([
      policy('revenue_impact_event', 2555),
      policy('resource_usage_event', 90, 'acme'),
      policy('generic', null),
      policy('*', null),
    ]);
    expect(parsePolicies({ policies: [{ event: '*', days: 30 }] })).toEqual([policy('*', 30)]);
    expect(parsePolicies([])).toEqual([]);
  });

  it('lists every bad entry with its index: unknown type, zero/negative/fractional days, duplicates', () => {
    const { problems } = checkPolicies([
      { event: 'revenue_impact', days: 30 },
      { event: 'revenue_impact_event', days: 0 },
      { event: 'cost_optimization_event', days: -5 },
      { event: 'generic', days: 1.5 },
      { event: 'generic', days: 10 },
      { event: 'generic', days: 20 },
      { event: 'generic', days: 20, tenant: 'acme' },
      { event: 'generic', days: 30, tenant: 'acme' },
      { event: '*', days: 30, tenant: '' },
      { event: '*', days: 30, color: 'red' },
      'nope',
      { event: 'generic' },
    ]);
    expect(problems.map((p) => [p.index, p.field])).toEqual([
      [0, 'event'],
      [1, 'days'],
      [2, 'days'],
      [3, 'days'],
      [5, 'event'],
      [7, 'event'],
      [8, 'tenant'],
      [9, 'color'],
      [10, ''],
      [11, 'days'],
    ]);
    expect(problems[4]?.problem).toMatch(/repeats policies\[4\]/);
    expect(problems[5]?.problem).toMatch(/repeats policies\[6\] \(generic, tenant acme\)/);
  });

  it('throws one 400 naming each bad index', () => {
    let error: unknown;
    try {
      parsePolicies([
        { event: 'x', days: 1 },
        { event: 'generic', days: 1 },
        { event: 'generic', days: -1 },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /^policies has 2 problems: policies\[0\]\.event .*; policies\[2\]\.days /,
    );
    expect(() => parsePolicies('[]')).toThrow(/must be a list/);
  });
});

describe('cutoff resolution', () => {
  const policies = parsePolicies([
    { event: '*', days: 365 },
    { event: 'revenue_impact_event', days: 2555 },
    { event: 'resource_usage_event', days: 90 },
    { event: 'resource_usage_event', days: 30, tenant: 'acme' },
    { event: '*', days: 'forever', tenant: 'hold' },
    { event: 'revenue_impact_event', days: 7, tenant: 'hold' },
    { event: 'generic', days: 'forever' },
    { event: '*', days: 10, tenant: 'short' },
  ]);

  it('(type, tenant) > (*, tenant) > (type) > (*) > forever', () => {
    expect(daysFor(policies, 'resource_usage_event', 'acme')).toBe(30);
    expect(daysFor(policies, 'resource_usage_event', 'globex')).toBe(90);
    expect(daysFor(policies, 'resource_usage_event', null)).toBe(90);
    expect(daysFor(policies, 'revenue_impact_event', 'hold')).toBe(7);
    expect(daysFor(policies, 'cost_optimization_event', 'hold')).toBeNull();
    expect(daysFor(policies, 'cost_optimization_event', 'acme')).toBe(365);
    expect(daysFor(policies, 'generic', 'acme')).toBeNull();
    expect(daysFor(policies, 'generic', 'short')).toBe(10);
    expect(daysFor(policies, 'revenue_impact_event', 'short')).toBe(10);
    expect(daysFor([], 'generic', null)).toBeNull();
  });

  it('plans one cut per table with a deletable row: default cutoff plus differing tenants', () => {
    const now = Date.UTC(2026, 0, 1);
    const cuts = new Map(planCuts(policies, now).map((c) => [c.table, c]));
    const at = (days: number) => now - days * DAY_MS;
    expect(cuts.get('resource_usage_event')).toEqual({
      table: 'resource_usage_event',
      cutoff: at(90),
      tenants: new Map([
        ['acme', at(30)],
        ['hold', null],
        ['short', at(10)],
      ]),
    });
    expect(cuts.get('revenue_impact_event')?.tenants).toEqual(
      new Map([
        ['hold', at(7)],
        ['short', at(10)],
      ]),
    );
    expect(cuts.get('generic')).toEqual({
      table: 'generic',
      cutoff: null,
      tenants: new Map([['short', at(10)]]),
    });
    expect(planCuts(parsePolicies([{ event: '*', days: 'forever' }]), now)).toEqual([]);
    expect(planCuts([], now)).toEqual([]);
  });

  it('presents forever as "forever" and omits a default tenant', () => {
    expect(presentPolicy(policy('generic', null))).toEqual({ event: 'generic', days: 'forever' });
    expect(presentPolicy(policy('generic', 3, 'a'))).toEqual({ event: 'generic', tenant: 'a', days: 3 });
  });
});
