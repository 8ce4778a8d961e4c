import type { Rule } from '../rule-model.js';
import { anomalyEvaluator } from './anomaly.js';
import { budgetEvaluator } from './budget.js';
import { changeEvaluator } from './change.js';
import { changePercentEvaluator } from './change-percent.js';
import { compareEvaluator } from './compare.js';
import type { Evaluator, EvaluatorContext } from './evaluator.js';
import { overdueEvaluator } from './overdue.js';
import { windowEvaluator } from './window.js';

export type { Budgets, Evaluator, EvaluatorContext, Outcome } from './evaluator.js';

/** Compiles a validated rule into its evaluator (one per condition kind). */
export function createEvaluator(rule: Rule, context: EvaluatorContext): Evaluator {
  const c = rule.condition;
  switch (c.kind) {
    case 'compare':
      return compareEvaluator(rule, c, context);
    case 'window':
      return windowEvaluator(rule, c, context);
    case 'budget':
      return budgetEvaluator(rule, c, context);
    case 'change':
      return changeEvaluator(rule, c, context);
    case 'overdue':
      return overdueEvaluator(rule, c, context);
    case 'change_percent':
      return changePercentEvaluator(rule, c, context);
    case 'anomaly':
      return anomalyEvaluator(rule, c, context);
  }
}
