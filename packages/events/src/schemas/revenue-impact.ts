import { Type } from '@sinclair/typebox';
import {
  baseProperties,
  count,
  level4,
  list,
  money,
  objectOptions,
  oneOf,
  openText,
  rate,
  text,
} from './common.js';

export const revenueImpactProperties = Type.Object(
  {
    ...baseProperties,
    impact_amount: money('Revenue at stake or gained, USD'),
    impact_type: oneOf(['negative', 'positive'] as const, 'Whether revenue is lost or protected/gained'),
    event_category: Type.Optional(Type.Literal('revenue_impact', { description: 'Always revenue_impact' })),
    event_type: Type.Optional(
      openText('What caused the impact', ['deliverability_issue', 'churn_risk', 'payment_failure', 'upsell']),
    ),
    customer_ltv: Type.Optional(money('Lifetime value of the affected customer, USD')),
    urgency_level: Type.Optional(level4('How soon someone must act')),
    action_required: Type.Optional(text('The action that would protect the revenue')),
    affected_emails: Type.Optional(count('Emails affected')),
    bounce_rate: Type.Optional(rate('Bounce rate, 0..1')),
    spam_rate: Type.Optional(rate('Spam-complaint rate, 0..1')),
    timeframe: Type.Optional(openText('Period the amount covers', ['daily', 'weekly', 'monthly', 'annual'])),
    mitigation_actions: Type.Optional(list('Steps that mitigate the impact')),
    estimated_resolution_time: Type.Optional(text('e.g. "24 hours"')),
    priority_level: Type.Optional(level4('Business priority')),
  },
  objectOptions,
);
