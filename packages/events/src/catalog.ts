import type { Static } from '@sinclair/typebox';
import { costOptimizationProperties } from './schemas/cost-optimization.js';
import { emailDeliverabilityProperties } from './schemas/email-deliverability.js';
import { operationalEfficiencyProperties } from './schemas/operational-efficiency.js';
import { resourceUsageProperties } from './schemas/resource-usage.js';
import { revenueImpactProperties } from './schemas/revenue-impact.js';
import { securityIncidentProperties } from './schemas/security-incident.js';
import { strategicDecisionProperties } from './schemas/strategic-decision.js';

/** The seven business event types, by PostHog event name. */
export const catalog = {
  revenue_impact_event: revenueImpactProperties,
  cost_optimization_event: costOptimizationProperties,
  operational_efficiency_event: operationalEfficiencyProperties,
  strategic_decision_event: strategicDecisionProperties,
  email_deliverability_event: emailDeliverabilityProperties,
  resource_usage_event: resourceUsageProperties,
  security_incident_event: securityIncidentProperties,
} as const;

export type Catalog = typeof catalog;
export type BusinessEventName = keyof Catalog;
export const businessEventNames = Object.keys(catalog) as BusinessEventName[];

/** Extra properties are allowed (and kept) on every event. */
type Open<T> = T & Record<string, unknown>;

export type RevenueImpactProperties = Open<Static<typeof revenueImpactProperties>>;
export type CostOptimizationProperties = Open<Static<typeof costOptimizationProperties>>;
export type OperationalEfficiencyProperties = Open<Static<typeof operationalEfficiencyProperties>>;
export type StrategicDecisionProperties = Open<Static<typeof strategicDecisionProperties>>;
export type EmailDeliverabilityProperties = Open<Static<typeof emailDeliverabilityProperties>>;
export type ResourceUsageProperties = Open<Static<typeof resourceUsageProperties>>;
export type SecurityIncidentProperties = Open<Static<typeof securityIncidentProperties>>;

export interface BusinessEventProperties {
  revenue_impact_event: RevenueImpactProperties;
  cost_optimization_event: CostOptimizationProperties;
  operational_efficiency_event: OperationalEfficiencyProperties;
  strategic_decision_event: StrategicDecisionProperties;
  email_deliverability_event: EmailDeliverabilityProperties;
  resource_usage_event: ResourceUsageProperties;
  security_incident_event: SecurityIncidentProperties;
}

export function isBusinessEventName(name: string): name is BusinessEventName {
  return Object.hasOwn(catalog, name);
}
