export { BusinessEvents } from './business-events.js';
export type { BusinessEventsOptions, CaptureClient, TrackOptions, TrackProperties } from './options.js';
export {
  BusinessEventValidationError,
  businessEventNames,
  type BusinessEventName,
  type BusinessEventProperties,
  type CostOptimizationProperties,
  type EmailDeliverabilityProperties,
  type OperationalEfficiencyProperties,
  type ResourceUsageProperties,
  type RevenueImpactProperties,
  type SchemaIssue,
  type SecurityIncidentProperties,
  type StrategicDecisionProperties,
} from '@pulse/events';
