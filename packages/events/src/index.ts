export {
  catalog,
  businessEventNames,
  isBusinessEventName,
  type BusinessEventName,
  type BusinessEventProperties,
  type Catalog,
  type RevenueImpactProperties,
  type CostOptimizationProperties,
  type OperationalEfficiencyProperties,
  type StrategicDecisionProperties,
  type EmailDeliverabilityProperties,
  type ResourceUsageProperties,
  type SecurityIncidentProperties,
} from './catalog.js';
export { decisionStatuses } from './schemas/strategic-decision.js';
export { isIsoDateTime, parseIsoDateTime } from './schemas/date-time-format.js';
export { checkBusinessEvent, schemaIssues, type CheckResult } from './validate.js';
export { PERCENT_TOLERANCE } from './derive.js';
export { BusinessEventValidationError, makeIssue, type IssueRule, type SchemaIssue } from './issues.js';
export { catalogFields, eventFields, type CatalogField, type FieldKind } from './fields.js';
export { catalogJsonSchema, eventJsonSchema } from './json-schema.js';
