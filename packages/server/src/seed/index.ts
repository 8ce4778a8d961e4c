export {
  generateEvents,
  estimateCount,
  describeTenants,
  DEFAULT_EVENTS_PER_TENANT_PER_DAY,
  DEMO_DATA_SET,
  type GenerateOptions,
  type SeedTenant,
} from './generate.js';
export { tenantIds } from './tenants.js';
export type { IncidentKind, Personality, Plan } from './tenants.js';
