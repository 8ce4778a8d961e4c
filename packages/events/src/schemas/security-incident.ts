import { Type } from '@sinclair/typebox';
import { baseProperties, count, level4, objectOptions, oneOf, openText, text } from './common.js';

export const securityIncidentProperties = Type.Object(
  {
    ...baseProperties,
    incident_type: openText('Kind of incident', ['unauthorized_access', 'data_leak', 'phishing', 'ddos']),
    severity: level4('Severity of the incident'),
    affects_customer_data: Type.Boolean({ description: 'Whether customer data is affected' }),
    records_affected: Type.Optional(count('Records affected')),
    status: Type.Optional(oneOf(['open', 'contained', 'resolved'] as const, 'Where the incident stands')),
    description: Type.Optional(text('What happened')),
  },
  objectOptions,
);
