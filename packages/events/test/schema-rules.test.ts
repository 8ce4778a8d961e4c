import { describe, expect, it } from 'vitest';
import {
  businessEventNames,
  checkBusinessEvent,
  eventFields,
  schemaIssues,
  type BusinessEventName,
  type IssueRule,
} from '../src/index.js';
import {
  example,
  literal,
  minimalProperties,
  propertySchema,
  wrongTypeRule,
  wrongTypeValue,
} from './examples.js';

// Tables built from the schemas themselves, so a property added to the catalog is covered the day it
// lands. schema-messages.test.ts spells the full messages out by hand.

interface RuleCase {
  event: BusinessEventName;
  property: string;
  rule: IssueRule;
  /** The reported property and value: the field's, or `field[i]` and the item for an item of a list. */
  issueProperty: string;
  value: unknown;
  issueValue: unknown;
  properties: Record<string, unknown>;
}

function rejecting(
  event: BusinessEventName,
  property: string,
  rule: IssueRule,
  value: unknown,
  issueProperty = property,
  issueValue = value,
): RuleCase {
  const properties = example(event);
  if (value === undefined) delete properties[property];
  else properties[property] = value;
  return { event, property, rule, issueProperty, value, issueValue, properties };
}

const cases: RuleCase[] = businessEventNames.flatMap((event) =>
  eventFields(event).flatMap((field) => {
    const schema = propertySchema(event, field.name);
    const out: RuleCase[] = [];
    if (field.required) out.push(rejecting(event, field.name, 'required', undefined));
    out.push(rejecting(event, field.name, wrongTypeRule(event, field), wrongTypeValue(field)));
    const step = field.kind === 'integer' ? 1 : 0.5;
    if (typeof schema.minimum === 'number')
      out.push(rejecting(event, field.name, 'minimum', schema.minimum - step));
    if (typeof schema.maximum === 'number')
      out.push(rejecting(event, field.name, 'maximum', schema.maximum + step));
    if (typeof schema.exclusiveMinimum === 'number')
      out.push(rejecting(event, field.name, 'exclusiveMinimum', schema.exclusiveMinimum));
    if (typeof schema.minLength === 'number') out.push(rejecting(event, field.name, 'minLength', ''));
    if (field.values.length) out.push(rejecting(event, field.name, 'enum', 'bad'));
    if (typeof schema.const === 'string')
      out.push(rejecting(event, field.name, 'const', `${schema.const}_x`));
    if (field.kind === 'date-time') out.push(rejecting(event, field.name, 'format', '2025-13-45'));
    if (field.kind === 'string[]')
      out.push(rejecting(event, field.name, 'type', ['first action', 3], `${field.name}[1]`, 3));
    return out;
  }),
);

describe('every schema rule of every event rejects a bad value', () => {
  it('covers each schema rule somewhere in the catalog', () => {
    const rules = new Set(cases.map((c) => c.rule));
    expect([...rules].sort()).toEqual(
      [
        'const',
        'enum',
        'exclusiveMinimum',
        'format',
        'maximum',
        'minLength',
        'minimum',
        'required',
        'type',
      ].sort(),
    );
  });

  it.each(
    cases.map((c) => [`${c.event} ${c.issueProperty} ${c.rule} ${JSON.stringify(c.value)}`, c] as const),
  )('%s', (_title, { event, rule, issueProperty, issueValue, properties }) => {
    const result = checkBusinessEvent(event, properties);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ event, property: issueProperty, rule, value: issueValue });
    const tail =
      rule === 'required'
        ? 'is required \\(.+\\) but was missing'
        : `must be .+ \\(rule: ${rule}\\); received ${literal(JSON.stringify(issueValue))}`;
    expect(issues[0]?.message).toMatch(
      new RegExp(`^${event}: property "${literal(issueProperty)}" ${tail}$`),
    );
  });
});

describe('values on a rule boundary pass', () => {
  const boundaries = businessEventNames.flatMap((event) =>
    eventFields(event).flatMap((field) => {
      const schema = propertySchema(event, field.name);
      const values: unknown[] = [];
      if (typeof schema.minimum === 'number') values.push(schema.minimum);
      if (typeof schema.maximum === 'number') values.push(schema.maximum);
      if (typeof schema.exclusiveMinimum === 'number') values.push(schema.exclusiveMinimum + 1e-9);
      values.push(...field.values);
      return values.map((value) => [event, field.name, value] as const);
    }),
  );

  // schemaIssues alone: a boundary utilization_percentage is a fine schema value even where it
  // disagrees with current_usage / capacity (that is derived-fields.test.ts's business).
  it.each(boundaries)('%s %s = %j', (event, property, value) => {
    expect(schemaIssues(event, example(event, { [property]: value }))).toEqual([]);
  });
});

describe('closed enums name every allowed value', () => {
  const enums = businessEventNames.flatMap((event) =>
    eventFields(event)
      .filter((f) => f.values.length)
      .map((f) => [event, f.name, f.values] as const),
  );

  it.each(enums)('%s %s', (event, property, values) => {
    const [issue] = schemaIssues(event, example(event, { [property]: 'bad' }));
    expect(issue?.message).toBe(
      `${event}: property "${property}" must be one of ${values.join(' | ')} (rule: enum); received "bad"`,
    );
  });
});

describe('date-time format', () => {
  it.each([
    '2025-12-19T10:30:00Z',
    '2025-12-19T10:30:00.123Z',
    '2025-12-19T10:30:00+01:00',
    '2025-12-19T10:30:00-0530',
    '2025-12-19 10:30',
    '2025-12-19',
    '2024-02-29',
  ])('accepts %s', (date) => {
    expect(
      schemaIssues('revenue_impact_event', example('revenue_impact_event', { tracking_date: date })),
    ).toEqual([]);
  });

  it.each([
    '2025-13-45',
    '2025-02-30',
    '2025-02-29',
    '2025-04-31T00:00:00Z',
    '2025-12-19T25:00:00Z',
    '2025-12-19T10:60:00Z',
    '19/12/2025',
    'Dec 19 2025',
    '1734604200000',
    '',
  ])('rejects %j', (date) => {
    const issues = schemaIssues(
      'strategic_decision_event',
      example('strategic_decision_event', { decision_date: date }),
    );
    expect(issues.map((i) => [i.property, i.rule])).toEqual([['decision_date', 'format']]);
  });
});

describe('the minimal examples', () => {
  it.each(businessEventNames)('%s validates with its required fields only', (event) => {
    const required = eventFields(event)
      .filter((f) => f.required)
      .map((f) => f.name);
    expect(Object.keys(minimalProperties[event]).sort()).toEqual([...required].sort());
    expect(checkBusinessEvent(event, example(event)).ok).toBe(true);
  });
});
