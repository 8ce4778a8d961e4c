import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { catalog, type BusinessEventName } from './catalog.js';
import { makeIssue, type SchemaIssue } from './issues.js';

/** How far a sent percentage may stray from the one computed from its parts (at most 0.5 points). */
export const PERCENT_TOLERANCE = 0.5;

function checkPercentage(
  event: BusinessEventName,
  props: Record<string, unknown>,
  key: string,
  computed: number,
  formula: string,
): SchemaIssue[] {
  const sent = props[key];
  if (sent === undefined) {
    // Only a value the property's own schema accepts is written, so a checked event checks again:
    // a cost increase (savings −100 %, below the 0..100 range) or a ratio that overflows to
    // Infinity (capacity 1e-320) leaves the field absent rather than stored out of range.
    const schema = (catalog[event].properties as Record<string, TSchema>)[key];
    if (schema && Value.Check(schema, computed)) props[key] = computed;
    return [];
  }
  if (Math.abs((sent as number) - computed) <= PERCENT_TOLERANCE) return [];
  const expected = `${formula} = ${Number(computed.toFixed(4))} (±${PERCENT_TOLERANCE})`;
  return [makeIssue(event, key, 'consistency', expected, sent)];
}

/**
 * Fills derived fields in place and returns consistency issues. Runs after the schema check,
 * so the types of the properties it reads are already known.
 */
export function applyDerivedFields(
  event: BusinessEventName,
  props: Record<string, unknown>,
  context: { uuid?: string },
): SchemaIssue[] {
  switch (event) {
    case 'cost_optimization_event': {
      const baseline = props.baseline_cost as number | undefined;
      const optimized = props.optimized_cost as number | undefined;
      // Undefined for a zero baseline: nothing to compare a sent value against.
      if (baseline === undefined || optimized === undefined || baseline === 0) return [];
      const computed = ((baseline - optimized) / baseline) * 100;
      return checkPercentage(
        event,
        props,
        'savings_percentage',
        computed,
        '(baseline_cost − optimized_cost) / baseline_cost × 100',
      );
    }
    case 'resource_usage_event': {
      if (props.resource_id === undefined) props.resource_id = props.resource_type;
      const computed = ((props.current_usage as number) / (props.capacity as number)) * 100;
      return checkPercentage(
        event,
        props,
        'utilization_percentage',
        computed,
        'current_usage / capacity × 100',
      );
    }
    case 'strategic_decision_event':
      if (props.decision_id === undefined && context.uuid) props.decision_id = context.uuid;
      return [];
    default:
      return [];
  }
}
