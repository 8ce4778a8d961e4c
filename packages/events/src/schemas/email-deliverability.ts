import { Type } from '@sinclair/typebox';
import {
  amount,
  baseProperties,
  count,
  flag,
  level4,
  list,
  objectOptions,
  oneOf,
  rate,
  text,
} from './common.js';

const reputation = (description: string) =>
  oneOf(['poor', 'fair', 'good', 'excellent'] as const, description);

export const emailDeliverabilityProperties = Type.Object(
  {
    ...baseProperties,
    email_count: count('Emails this fact covers; weights bounce_rate in aggregates'),
    delivery_outcome: oneOf(
      ['delivered', 'bounced', 'deferred', 'complained', 'mixed'] as const,
      'Outcome of the emails covered',
    ),
    bounce_rate: Type.Optional(rate('Bounce rate, 0..1')),
    spam_rate: Type.Optional(rate('Spam-complaint rate, 0..1')),
    provider: Type.Optional(oneOf(['sendgrid', 'mailgun', 'ses', 'other'] as const, 'Email provider')),
    sending_ip: Type.Optional(text('Sending IP address')),
    sending_domain: Type.Optional(text('Sending domain')),
    ip_reputation: Type.Optional(reputation('Reputation of the sending IP')),
    domain_reputation: Type.Optional(reputation('Reputation of the sending domain')),
    cost_impact: Type.Optional(amount('Cost impact, USD')),
    risk_level: Type.Optional(level4('Risk to revenue')),
    actions_required: Type.Optional(list('Actions required')),
    estimated_resolution_time: Type.Optional(text('e.g. "48 hours"')),
    requires_immediate_attention: Type.Optional(flag('Needs attention now')),
  },
  objectOptions,
);
