import { Type } from '@sinclair/typebox';
import {
  amount,
  baseProperties,
  flag,
  list,
  objectOptions,
  oneOf,
  openText,
  percent,
  text,
} from './common.js';

export const operationalEfficiencyProperties = Type.Object(
  {
    ...baseProperties,
    efficiency_metric: openText('What is measured', ['email_delivery_rate', 'support_response_time']),
    efficiency_score: percent('Score 0..100'),
    current_value: Type.Optional(amount('Current value of the metric')),
    baseline_value: Type.Optional(amount('Baseline value of the metric')),
    target_value: Type.Optional(amount('Target value of the metric')),
    trend_direction: Type.Optional(
      oneOf(['improving', 'stable', 'declining'] as const, 'Direction of the metric'),
    ),
    cost_impact: Type.Optional(amount('Cost impact, USD')),
    customer_impact: Type.Optional(amount('Customers or value affected')),
    operational_impact: Type.Optional(text('Operational consequence in words')),
    recommendations: Type.Optional(list('Recommended actions')),
    requires_executive_attention: Type.Optional(flag('Flag for the executive view')),
  },
  objectOptions,
);
