import { eventFields, type BusinessEventName, type FieldKind } from '@pulse/events';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValidationError } from '../errors.js';
import {
  comparisonOps,
  conditionSchemas,
  ruleSchema,
  type Condition,
  type ConditionKind,
  type Predicate,
  type Rule,
} from './rule-model.js';
import { renamedRuleField } from './rule-renames.js';
import { checkOutlook } from './outlook.js';

const compiledRule = TypeCompiler.Compile(ruleSchema);
const compiledConditions = Object.fromEntries(
  Object.entries(conditionSchemas).map(([kind, schema]) => [kind, TypeCompiler.Compile(schema as TSchema)]),
) as Record<ConditionKind, TypeCheck<TSchema>>;

/** `/condition/all/0/op` under `rules[2]` → `rules[2].condition.all[0].op`. */
function fieldPath(base: string, pointer: string): string {
  let path = base;
  for (const part of pointer.split('/').slice(1)) {
    const name = part.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(name) ? `[${name}]` : path ? `.${name}` : name;
  }
  return path || 'rule';
}

function firstSchemaError(check: TypeCheck<TSchema>, value: unknown, base: string): ValidationError | null {
  const first = check.Errors(value).First();
  if (!first) return null;
  const field = fieldPath(base, first.path);
  if (first.message === 'Expected required property') return new ValidationError(field, 'is required');
  if (first.message === 'Unexpected property') return new ValidationError(field, 'is not a known field');
  const shown = first.value === undefined ? 'nothing' : JSON.stringify(first.value);
  const literals = (first.schema.anyOf as { const?: unknown }[] | undefined)?.map((s) => s.const);
  const problem =
    literals && literals.every((l) => l !== undefined)
      ? `must be one of ${literals.map((l) => JSON.stringify(l)).join(', ')}`
      : first.message.replace(/^Expected \w+ to /, 'must ').replace(/^Expected /, 'must be ');
  return new ValidationError(field, `${problem}; received ${shown}`);
}

const numeric = (kind: FieldKind | undefined) => kind === 'number' || kind === 'integer';

/** The catalog kind of `property` on every event of the rule; an error naming the field when one lacks it. */
function kindOf(events: readonly BusinessEventName[], property: string, field: string): FieldKind {
  let kind: FieldKind | undefined;
  for (const event of events) {
    const found = eventFields(event).find((f) => f.name === property)?.kind;
    if (!found)
      throw new ValidationError(field, `names ${JSON.stringify(property)}, which ${event} does not have`);
    kind = kind === undefined || kind === found ? found : numeric(kind) && numeric(found) ? 'number' : found;
  }
  return kind ?? 'string';
}

function checkNumeric(events: readonly BusinessEventName[], property: string, field: string): void {
  const kind = kindOf(events, property, field);
  if (!numeric(kind))
    throw new ValidationError(field, `must name a numeric property; ${property} is ${kind}`);
}

function checkPredicate(events: readonly BusinessEventName[], p: Predicate, field: string): void {
  const kind = kindOf(events, p.property, `${field}.property`);
  const value = p.value;
  if (p.op === 'exists') {
    if (value !== undefined) throw new ValidationError(`${field}.value`, 'must be absent for op "exists"');
    return;
  }
  if ((comparisonOps as readonly string[]).includes(p.op)) {
    if (!numeric(kind))
      throw new ValidationError(`${field}.op`, `${p.op} needs a numeric property; ${p.property} is ${kind}`);
    if (typeof value !== 'number')
      throw new ValidationError(`${field}.value`, `must be a number for op "${p.op}"`);
    return;
  }
  if (p.op === 'in' || p.op === 'not_in') {
    if (!Array.isArray(value) || value.length === 0)
      throw new ValidationError(`${field}.value`, `must be a non-empty list for op "${p.op}"`);
    return;
  }
  const expected = numeric(kind) ? 'number' : kind === 'boolean' ? 'boolean' : 'string';
  if (typeof value !== expected)
    throw new ValidationError(
      `${field}.value`,
      `must be a ${expected} to compare with ${p.property} (${kind}); received ${JSON.stringify(value)}`,
    );
}

function checkPredicates(
  events: readonly BusinessEventName[],
  list: readonly Predicate[] | undefined,
  field: string,
): void {
  list?.forEach((p, i) => checkPredicate(events, p, `${field}[${i}]`));
}

function checkCondition(events: readonly BusinessEventName[], c: Condition, field: string): void {
  switch (c.kind) {
    case 'compare':
      if (!c.all.length && !c.any?.length)
        throw new ValidationError(`${field}.all`, 'must hold at least one predicate (or give "any")');
      checkPredicates(events, c.all, `${field}.all`);
      checkPredicates(events, c.any, `${field}.any`);
      return;
    case 'window':
      checkNumeric(events, c.property, `${field}.property`);
      if (c.aggregate === 'weighted_mean' && !c.weight)
        throw new ValidationError(`${field}.weight`, 'is required by aggregate "weighted_mean"');
      if (c.weight) checkNumeric(events, c.weight, `${field}.weight`);
      if (c.amount) checkNumeric(events, c.amount, `${field}.amount`);
      checkPredicates(events, c.where, `${field}.where`);
      return;
    case 'budget':
      checkNumeric(events, c.cost, `${field}.cost`);
      kindOf(events, c.entity, `${field}.entity`);
      if (c.group) kindOf(events, c.group, `${field}.group`);
      return;
    case 'change':
      checkNumeric(events, c.property, `${field}.property`);
      kindOf(events, c.entity, `${field}.entity`);
      checkPredicates(events, c.where, `${field}.where`);
      return;
    case 'change_percent':
    case 'anomaly':
      if (c.aggregate !== 'count') checkNumeric(events, c.property, `${field}.property`);
      else kindOf(events, c.property, `${field}.property`);
      if (c.aggregate === 'weighted_mean' && !c.weight)
        throw new ValidationError(`${field}.weight`, 'is required by aggregate "weighted_mean"');
      if (c.aggregate !== 'weighted_mean' && c.weight)
        throw new ValidationError(`${field}.weight`, 'is only used by aggregate "weighted_mean"');
      if (c.weight) checkNumeric(events, c.weight, `${field}.weight`);
      if (c.kind === 'anomaly' && c.minSample > c.baselineBuckets)
        throw new ValidationError(
          `${field}.minSample`,
          `asks for ${c.minSample} baseline buckets but the baseline has ${c.baselineBuckets}`,
        );
      checkPredicates(events, c.where, `${field}.where`);
      return;
    case 'overdue': {
      const kind = kindOf(events, c.date, `${field}.date`);
      if (kind !== 'date-time')
        throw new ValidationError(`${field}.date`, `must name a date-time property; ${c.date} is ${kind}`);
      kindOf(events, c.entity, `${field}.entity`);
      checkPredicates(events, c.unless, `${field}.unless`);
      return;
    }
  }
}

/** Validates one rule (schema, then catalog semantics); throws a ValidationError naming the field. */
export function parseRule(input: unknown, base = ''): Rule {
  const renamed = renamedRuleField(input);
  if (renamed)
    throw new ValidationError(
      base ? `${base}.${renamed.field}` : renamed.field,
      `is now ${renamed.to}: rule fields are camelCase`,
    );
  const schemaError = firstSchemaError(compiledRule, input, base);
  if (schemaError) throw schemaError;
  const rule = input as Rule;
  const at = (name: string) => (base ? `${base}.${name}` : name);
  const conditionError = firstSchemaError(
    compiledConditions[rule.condition.kind],
    rule.condition,
    at('condition'),
  );
  if (conditionError) throw conditionError;
  checkCondition(rule.events, rule.condition, at('condition'));
  rule.key.forEach((k, i) => kindOf(rule.events, k, `${at('key')}[${i}]`));
  if (rule.amount) checkNumeric(rule.events, rule.amount, at('amount'));
  if (rule.label) kindOf(rule.events, rule.label, at('label'));
  checkOutlook(rule, at);
  return structuredClone(rule);
}

/** Validates a whole rule set: each rule, and ids unique. */
export function parseRuleSet(input: unknown): Rule[] {
  const list =
    input && typeof input === 'object' && !Array.isArray(input) && 'rules' in input ? input.rules : input;
  if (!Array.isArray(list))
    throw new ValidationError('rules', 'must be a list of rules (or {"rules": [...]})');
  const seen = new Set<string>();
  return list.map((item, i) => {
    const rule = parseRule(item, `rules[${i}]`);
    if (seen.has(rule.id))
      throw new ValidationError(`rules[${i}].id`, `repeats ${JSON.stringify(rule.id)}; rule ids are unique`);
    seen.add(rule.id);
    return rule;
  });
}
