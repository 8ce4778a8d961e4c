import type { StoredEvent } from '../../storage/event-store.js';
import type { CompareCondition, Rule } from '../rule-model.js';
import {
  keyPartsOf,
  numberOrNull,
  summaryOf,
  titleOf,
  type Evaluator,
  type EvaluatorContext,
  type Outcome,
} from './evaluator.js';
import { allHold, anyHolds, explain, holds } from './predicates.js';

/** One event against predicates: thresholds, statuses, flags (the per-event rules). */
export function compareEvaluator(
  rule: Rule,
  condition: CompareCondition,
  context: EvaluatorContext,
): Evaluator {
  const margin = rule.resolve.hysteresis ?? 0;
  const clears = rule.resolve.mode === 'clear';
  /** The first numeric threshold's property: the alert's measured value. */
  const measure = condition.all.find((p) => typeof p.value === 'number')?.property;
  return {
    rule,
    onEvent(event: StoredEvent): Outcome[] {
      const props = event.properties;
      const tenantId = event.tenantId;
      if (tenantId === null) return [];
      if (allHold(condition.all, props) && anyHolds(condition.any, props)) {
        const keyParts = keyPartsOf(rule, props);
        const amount = rule.amount ? numberOrNull(props[rule.amount]) : null;
        const text = (alertAmount: number | null) => {
          const reasons = [
            ...condition.all.map((p) => explain(p, props)),
            ...(condition.any ?? []).filter((p) => holds(p, props)).map((p) => explain(p, props)),
          ];
          const label = rule.label ? props[rule.label] : undefined;
          return {
            title: titleOf(rule, tenantId, keyParts, { label, money: rule.amount ? alertAmount : null }),
            summary: summaryOf(rule, event.timestamp, reasons.join('; ')),
          };
        };
        return [
          {
            verdict: 'fire',
            tenantId,
            keyParts,
            text,
            value: measure === undefined ? null : numberOrNull(props[measure]),
            amount,
            eventUuid: event.uuid,
            eventAt: event.timestamp,
          },
        ];
      }
      if (!clears || !context.hasActive(rule.id, tenantId)) return [];
      // Near the threshold (inside the hysteresis margin) the alert holds; past it, it clears.
      const near = margin > 0 && allHold(condition.all, props, margin) && anyHolds(condition.any, props);
      return [
        {
          verdict: near ? 'hold' : 'clear',
          tenantId,
          keyParts: keyPartsOf(rule, props),
          eventAt: event.timestamp,
        },
      ];
    },
  };
}
