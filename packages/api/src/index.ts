/**
 * The Pulse JSON API contract, once: TypeBox schemas of every /api route (params, querystring, body,
 * responses) and their static types. The server validates and serializes with them and generates its
 * OpenAPI document from them; the CLI and the dashboard compile against the same types.
 */
export * from './common.js';
export * from './summary.js';
export * from './tenants.js';
export * from './events.js';
export * from './alerts.js';
export * from './alert-inbox.js';
export * from './access.js';
export { ruleSchema, conditionSchemas } from './rules.js';
export * from './integrations.js';
export * from './insights-outcomes.js';
export * from './insights.js';
export * from './relay.js';
export * from './report-schedules.js';
export * from './explain.js';
