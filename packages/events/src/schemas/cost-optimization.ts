import { Type } from '@sinclair/typebox';
import {
  amount,
  baseProperties,
  level3,
  list,
  money,
  objectOptions,
  oneOf,
  openText,
  percent,
  text,
} from './common.js';

export const costOptimizationProperties = Type.Object(
  {
    ...baseProperties,
    savings_amount: money('Savings, USD'),
    optimization_type: oneOf(
      ['identified', 'implemented', 'rejected'] as const,
      'identified = projected savings, implemented = realized savings',
    ),
    optimization_category: Type.Optional(
      openText('Area of the saving', ['infrastructure', 'email_service', 'software', 'staffing']),
    ),
    baseline_cost: Type.Optional(money('Cost before, USD')),
    optimized_cost: Type.Optional(money('Cost after, USD')),
    savings_percentage: Type.Optional(
      percent('(baseline_cost − optimized_cost) / baseline_cost × 100; computed when absent'),
    ),
    implementation_complexity: Type.Optional(level3('Effort to implement')),
    timeframe_required: Type.Optional(text('e.g. "1 week"')),
    required_actions: Type.Optional(list('Actions needed to realize the saving')),
    resources_needed: Type.Optional(list('People or tools needed')),
    roi: Type.Optional(amount('Return on investment, percent')),
    payback_period_months: Type.Optional(Type.Number({ minimum: 0, description: 'Months to pay back' })),
    risk_level: Type.Optional(level3('Risk of the change')),
    tracked_by: Type.Optional(text('System or person that tracked it')),
  },
  objectOptions,
);
