import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { businessEventNames, catalogFields, eventFields } from '../src/index.js';

describe('catalogFields (the real catalog)', () => {
  const fields = catalogFields();

  it('gives properties shared by several events one kind', () => {
    expect(
      Object.fromEntries(
        [
          'tenant_id',
          'tracking_date',
          'bounce_rate',
          'spam_rate',
          'status',
          'risk_level',
          'cost_impact',
          'estimated_resolution_time',
        ].map((n) => [n, fields.get(n)]),
      ),
    ).toEqual({
      tenant_id: 'string',
      tracking_date: 'date-time',
      bounce_rate: 'number',
      spam_rate: 'number',
      status: 'string',
      risk_level: 'string',
      cost_impact: 'number',
      estimated_resolution_time: 'string',
    });
  });

  it('lists every property of every event exactly once', () => {
    const names = new Set(businessEventNames.flatMap((e) => eventFields(e).map((f) => f.name)));
    expect([...fields.keys()].sort()).toEqual([...names].sort());
  });

  it('keeps integer for properties that are whole numbers everywhere', () => {
    expect([
      fields.get('affected_emails'),
      fields.get('email_count'),
      fields.get('records_affected'),
    ]).toEqual(['integer', 'integer', 'integer']);
  });
});

// The conflict rules, on stand-in catalogs: the real one has no conflict to show.
describe('catalogFields (merge rules)', () => {
  afterEach(() => {
    vi.doUnmock('../src/catalog.js');
    vi.resetModules();
  });

  async function fieldsOf(catalog: Record<string, ReturnType<typeof Type.Object>>) {
    vi.resetModules();
    vi.doMock('../src/catalog.js', () => ({ catalog }));
    const { catalogFields: fresh } = await import('../src/fields.js');
    return fresh;
  }

  it('widens integer and number to number, in either order', async () => {
    const fresh = await fieldsOf({
      a_event: Type.Object({ amount: Type.Integer(), count: Type.Number() }),
      b_event: Type.Object({ amount: Type.Number(), count: Type.Integer() }),
    });
    expect(fresh()).toEqual(
      new Map([
        ['amount', 'number'],
        ['count', 'number'],
      ]),
    );
  });

  it('throws on a property that is a different kind in two events, naming both kinds', async () => {
    const fresh = await fieldsOf({
      a_event: Type.Object({ status: Type.String() }),
      b_event: Type.Object({ status: Type.Boolean() }),
    });
    expect(() => fresh()).toThrow('catalog property "status" is string in one event and boolean in b_event');
  });

  it('tells a date-time from a plain string and a list from a string', async () => {
    const dates = await fieldsOf({
      a_event: Type.Object({ when: Type.String() }),
      b_event: Type.Object({ when: Type.String({ format: 'date-time' }) }),
    });
    expect(() => dates()).toThrow('catalog property "when" is string in one event and date-time in b_event');
    const lists = await fieldsOf({
      a_event: Type.Object({ actions: Type.Array(Type.String()) }),
      b_event: Type.Object({ actions: Type.String() }),
    });
    expect(() => lists()).toThrow(
      'catalog property "actions" is string[] in one event and string in b_event',
    );
  });

  it('treats closed enums as strings, whatever their values', async () => {
    const fresh = await fieldsOf({
      a_event: Type.Object({ level: Type.Union([Type.Literal('low'), Type.Literal('high')]) }),
      b_event: Type.Object({ level: Type.String() }),
    });
    expect(fresh().get('level')).toBe('string');
  });
});
