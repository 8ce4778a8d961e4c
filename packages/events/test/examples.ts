import type { BusinessEventName, CatalogField } from '../src/index.js';
import { catalog } from '../src/index.js';

/** The smallest valid properties of each event type: the required fields and nothing else. */
export const minimalProperties: { [N in BusinessEventName]: Record<string, unknown> } = {
  revenue_impact_event: { tenant_id: 'tenant-123', impact_amount: 2500, impact_type: 'negative' },
  cost_optimization_event: {
    tenant_id: 'tenant-123',
    savings_amount: 1200,
    optimization_type: 'implemented',
  },
  operational_efficiency_event: {
    tenant_id: 'tenant-123',
    efficiency_metric: 'email_delivery_rate',
    efficiency_score: 82,
  },
  strategic_decision_event: {
    tenant_id: 'tenant-123',
    decision_type: 'vendor_selection',
    decision_title: 'Move email to Mailgun',
  },
  email_deliverability_event: { tenant_id: 'tenant-123', email_count: 1000, delivery_outcome: 'mixed' },
  resource_usage_event: {
    tenant_id: 'tenant-123',
    resource_type: 'database',
    current_usage: 30,
    capacity: 120,
  },
  security_incident_event: {
    tenant_id: 'tenant-123',
    incident_type: 'unauthorized_access',
    severity: 'high',
    affects_customer_data: false,
  },
};

/** A fresh copy: checkBusinessEvent writes derived fields into what it is given. */
export function example(
  name: BusinessEventName,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...minimalProperties[name], ...extra };
}

/** The raw TypeBox schema of one property (JSON Schema keywords plus TypeBox's symbols). */
export function propertySchema(name: BusinessEventName, field: string): Record<string, unknown> {
  const schema = (catalog[name].properties as Record<string, Record<string, unknown>>)[field];
  if (!schema) throw new Error(`${name} has no property ${field}`);
  return schema;
}

/** A value of the wrong JSON type for a field, as a sender might get wrong (a number sent as a string…). */
export function wrongTypeValue(field: CatalogField): unknown {
  switch (field.kind) {
    case 'number':
    case 'integer':
      return '12';
    case 'boolean':
      return 'true';
    case 'string[]':
      return 'one action';
    case 'string':
    case 'date-time':
      return 42;
  }
}

/**
 * The rule a wrong-typed value breaks: closed enums and literals report the rule that names the
 * allowed values (`enum`, `const`), every other property reports `type`.
 */
export function wrongTypeRule(name: BusinessEventName, field: CatalogField): 'type' | 'enum' | 'const' {
  if (field.values.length) return 'enum';
  if (propertySchema(name, field.name).const !== undefined) return 'const';
  return 'type';
}

/** Escapes a string for use inside a RegExp. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
