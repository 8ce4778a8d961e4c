import { describe, expect, it } from 'vitest';
import { businessEventNames, catalogJsonSchema, eventFields, eventJsonSchema } from '../src/index.js';

interface EventDef {
  required: string[];
  properties: {
    event: { const: string };
    properties: {
      type: string;
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
  };
}

const schema = catalogJsonSchema();
const defs = schema.$defs as Record<string, EventDef>;

describe('catalogJsonSchema', () => {
  it('is plain JSON: a JSON round trip changes nothing', () => {
    expect(JSON.parse(JSON.stringify(schema))).toStrictEqual(schema);
  });

  it('carries no symbol keys (TypeBox metadata) anywhere', () => {
    const symbols: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === null || typeof value !== 'object') return;
      if (Object.getOwnPropertySymbols(value).length) symbols.push(path);
      for (const [key, child] of Object.entries(value)) walk(child, `${path}/${key}`);
    };
    walk(schema, '');
    expect(symbols).toEqual([]);
  });

  it('is a draft 2020-12 document with one $defs entry per event type, all referenced', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(defs).sort()).toEqual([...businessEventNames].sort());
    expect(schema.oneOf).toEqual(businessEventNames.map((name) => ({ $ref: `#/$defs/${name}` })));
  });

  it.each(businessEventNames)('%s: the event name is a const and event + properties are required', (name) => {
    const def = defs[name];
    expect(def?.properties.event).toEqual({ const: name });
    expect(def?.required).toEqual(['event', 'properties']);
  });

  it.each(businessEventNames)('%s: required properties match eventFields', (name) => {
    const props = defs[name]?.properties.properties;
    const required = eventFields(name)
      .filter((f) => f.required)
      .map((f) => f.name);
    expect([...(props?.required ?? [])].sort()).toEqual([...required].sort());
    expect(Object.keys(props?.properties ?? {})).toEqual(eventFields(name).map((f) => f.name));
  });

  it.each(businessEventNames)('%s: extra properties are allowed, as the validator keeps them', (name) => {
    expect(defs[name]?.properties.properties.additionalProperties).toBe(true);
  });

  it('exports each event on its own, identical to its $defs entry', () => {
    for (const name of businessEventNames) expect(eventJsonSchema(name)).toStrictEqual(defs[name]);
  });

  it('spells closed enums, bounds and formats in JSON Schema keywords', () => {
    const revenue = defs.revenue_impact_event?.properties.properties.properties;
    expect(revenue?.impact_type).toMatchObject({
      anyOf: [
        { const: 'negative', type: 'string' },
        { const: 'positive', type: 'string' },
      ],
    });
    expect(revenue?.bounce_rate).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(revenue?.tracking_date).toMatchObject({ type: 'string', format: 'date-time' });
    expect(revenue?.mitigation_actions).toMatchObject({ type: 'array', items: { type: 'string' } });
    const resources = defs.resource_usage_event?.properties.properties.properties;
    expect(resources?.capacity).toMatchObject({ type: 'number', exclusiveMinimum: 0 });
  });
});
