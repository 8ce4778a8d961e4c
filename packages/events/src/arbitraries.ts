import fc from 'fast-check';
import { catalog, type BusinessEventName, type BusinessEventProperties } from './catalog.js';
import { eventFields, type CatalogField } from './fields.js';

// Fields the catalog computes: generated events leave them out, and validation fills them in.
const derived = new Set(['savings_percentage', 'utilization_percentage']);

const isoDate = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

function bounded(schema: Record<string, unknown>, integer: boolean): fc.Arbitrary<number> {
  const exclusive = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const min = typeof schema.minimum === 'number' ? schema.minimum : (exclusive ?? -1e6);
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1e7;
  if (integer) return fc.integer({ min: Math.ceil(min) + (exclusive !== undefined ? 1 : 0), max });
  const value = fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return exclusive !== undefined ? value.filter((v) => v > exclusive) : value;
}

function fieldArbitrary(name: BusinessEventName, field: CatalogField): fc.Arbitrary<unknown> {
  const schema = (catalog[name].properties as Record<string, Record<string, unknown>>)[field.name] ?? {};
  if (field.values.length) return fc.constantFrom(...field.values);
  if (typeof schema.const === 'string') return fc.constant(schema.const);
  switch (field.kind) {
    case 'number':
      return bounded(schema, false);
    case 'integer':
      return bounded(schema, true);
    case 'boolean':
      return fc.boolean();
    case 'string[]':
      return fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 });
    case 'date-time':
      return isoDate;
    case 'string':
      return field.name === 'tenant_id'
        ? fc.integer({ min: 0, max: 99 }).map((n) => `tenant-${n}`)
        : fc.string({ minLength: 1, maxLength: 30 });
  }
}

/** Valid properties for one event type: every required field, any subset of the optional ones. */
export function arbitraryProperties<N extends BusinessEventName>(
  name: N,
): fc.Arbitrary<BusinessEventProperties[N]> {
  const fields = eventFields(name).filter((f) => !derived.has(f.name));
  const record = Object.fromEntries(fields.map((f) => [f.name, fieldArbitrary(name, f)]));
  const requiredKeys = fields.filter((f) => f.required).map((f) => f.name);
  return fc.record(record, { requiredKeys }) as unknown as fc.Arbitrary<BusinessEventProperties[N]>;
}

/** A valid business event of any type, as `{ event, properties }`. */
export const arbitraryBusinessEvent: fc.Arbitrary<{
  event: BusinessEventName;
  properties: Record<string, unknown>;
}> = fc.oneof(
  ...(Object.keys(catalog) as BusinessEventName[]).map((event) =>
    arbitraryProperties(event).map((properties) => ({ event, properties: { ...properties } })),
  ),
);
