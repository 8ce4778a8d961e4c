import { Type } from '@sinclair/typebox';
import {
  amount,
  baseProperties,
  dateTime,
  flag,
  level3,
  list,
  objectOptions,
  oneOf,
  openText,
  text,
} from './common.js';

export const decisionStatuses = [
  'proposed',
  'approved',
  'in_progress',
  'delayed',
  'completed',
  'cancelled',
] as const;

export const strategicDecisionProperties = Type.Object(
  {
    ...baseProperties,
    decision_type: openText('Kind of decision', ['budget_allocation', 'vendor_selection', 'hiring']),
    decision_title: Type.String({ minLength: 1, description: 'Short title of the decision' }),
    decision_id: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Links the events of one decision; defaults to the event uuid',
      }),
    ),
    status: Type.Optional(oneOf(decisionStatuses, 'Where the decision stands')),
    decision_maker: Type.Optional(text('Who decided')),
    decision_date: Type.Optional(dateTime('When it was decided')),
    factors_considered: Type.Optional(list('Factors weighed')),
    alternative_options: Type.Optional(list('Options not taken')),
    selected_option: Type.Optional(text('Option taken')),
    business_justification: Type.Optional(text('Why')),
    expected_revenue_impact: Type.Optional(amount('Expected revenue impact, USD')),
    expected_cost_impact: Type.Optional(amount('Expected cost impact, USD')),
    actual_revenue_impact: Type.Optional(amount('Actual revenue impact, USD')),
    actual_cost_impact: Type.Optional(amount('Actual cost impact, USD')),
    outcome_timeframe: Type.Optional(text('e.g. "3 months"')),
    outcome_confidence: Type.Optional(level3('Confidence in the outcome')),
    tracking_kpis: Type.Optional(list('KPIs that measure the outcome')),
    tracking_period: Type.Optional(text('e.g. "Q1 2026"')),
    review_schedule: Type.Optional(text('e.g. "Monthly executive review"')),
    next_review_date: Type.Optional(
      dateTime('Next review; past it with no newer event the decision is overdue'),
    ),
    priority_decision: Type.Optional(flag('A priority decision')),
  },
  objectOptions,
);
