import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryBusinessEvent } from '../src/arbitraries.js';
import { checkBusinessEvent, eventFields, type CatalogField } from '../src/index.js';
import { wrongTypeRule } from './examples.js';

const numRuns = 500;

/** A generated event with one of its required fields picked at random. */
const eventAndRequiredField = arbitraryBusinessEvent.chain((generated) => {
  const required = eventFields(generated.event).filter((f) => f.required);
  return fc.record({ generated: fc.constant(generated), field: fc.constantFrom(...required) });
});

/** Values of any JSON type but the field's own (for a list: a list with a non-string item too). */
function wrongTypeArbitrary(field: CatalogField): fc.Arbitrary<unknown> {
  const aString = fc.string();
  const aNumber = fc.double({ noNaN: true, noDefaultInfinity: true });
  const others = [fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })];
  switch (field.kind) {
    case 'number':
      return fc.oneof(aString, fc.array(aNumber, { maxLength: 2 }), ...others);
    case 'integer':
      return fc.oneof(
        aString,
        aNumber.filter((n) => !Number.isInteger(n)),
        ...others,
      );
    case 'boolean':
      return fc.oneof(aString, aNumber, fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }));
    case 'string':
    case 'date-time':
      return fc.oneof(aNumber, fc.array(aString, { maxLength: 2 }), ...others);
    case 'string[]':
      return fc.oneof(aString, aNumber, fc.array(aNumber, { minLength: 1, maxLength: 3 }), ...others);
  }
}

describe('the catalog generator and the validator agree', () => {
  it('every generated event validates', () => {
    fc.assert(
      fc.property(arbitraryBusinessEvent, ({ event, properties }) => {
        const result = checkBusinessEvent(event, properties, { uuid: 'evt-1' });
        expect(result.ok ? [] : result.issues).toEqual([]);
      }),
      { numRuns },
    );
  });

  // Checked output is what the store keeps and what a replay or a relay checks again.
  it('a checked event checks again, unchanged', () => {
    fc.assert(
      fc.property(arbitraryBusinessEvent, ({ event, properties }) => {
        const first = checkBusinessEvent(event, properties, { uuid: 'evt-1' });
        if (!first.ok) throw new Error(JSON.stringify(first.issues));
        const snapshot = structuredClone(first.properties);
        const second = checkBusinessEvent(event, structuredClone(first.properties), { uuid: 'evt-2' });
        expect(second).toEqual({ ok: true, properties: snapshot });
      }),
      { numRuns },
    );
  });

  it('deleting any required field fails with rule `required` naming that field', () => {
    fc.assert(
      fc.property(eventAndRequiredField, ({ generated, field }) => {
        const properties = { ...generated.properties };
        delete properties[field.name];
        const result = checkBusinessEvent(generated.event, properties);
        expect(result.ok ? [] : result.issues.map((i) => [i.property, i.rule])).toEqual([
          [field.name, 'required'],
        ]);
      }),
      { numRuns },
    );
  });

  it('a required field of the wrong type fails, naming that field', () => {
    const cases = eventAndRequiredField.chain(({ generated, field }) =>
      wrongTypeArbitrary(field).map((value) => ({ generated, field, value })),
    );
    fc.assert(
      fc.property(cases, ({ generated, field, value }) => {
        const properties = { ...generated.properties, [field.name]: value };
        const result = checkBusinessEvent(generated.event, properties);
        expect(result.ok).toBe(false);
        const issues = result.ok ? [] : result.issues;
        expect(issues).toHaveLength(1);
        expect(issues[0]?.property).toBe(field.name);
        expect(issues[0]?.rule).toBe(wrongTypeRule(generated.event, field));
      }),
      { numRuns },
    );
  });

  it('an optional field of the wrong type fails too', () => {
    const cases = arbitraryBusinessEvent.chain((generated) =>
      fc
        .constantFrom(...eventFields(generated.event).filter((f) => !f.required))
        .chain((field) => wrongTypeArbitrary(field).map((value) => ({ generated, field, value }))),
    );
    fc.assert(
      fc.property(cases, ({ generated, field, value }) => {
        const properties = { ...generated.properties, [field.name]: value };
        const result = checkBusinessEvent(generated.event, properties);
        expect(result.ok).toBe(false);
        const issues = result.ok ? [] : result.issues;
        expect(issues.length).toBeGreaterThan(0);
        // A list with non-string items is reported per item: `mitigation_actions[0]`, `[1]`…
        for (const issue of issues)
          expect(issue.property).toMatch(new RegExp(`^${field.name}(\\[\\d+\\])?$`));
      }),
      { numRuns },
    );
  });
});
