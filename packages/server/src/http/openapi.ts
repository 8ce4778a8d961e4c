import { catalogJsonSchema } from '@pulse/events';

type Param = { name: string; in: 'query' | 'path'; description: string; required?: boolean };
const tenant: Param = {
  name: 'tenant',
  in: 'query',
  description: 'Tenant ids, comma-separated or repeated; default all the caller may see',
};
const from: Param = {
  name: 'from',
  in: 'query',
  description: 'Window start, ISO 8601 or epoch ms (inclusive)',
};
const to: Param = { name: 'to', in: 'query', description: 'Window end, ISO 8601 or epoch ms (exclusive)' };
const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});
const errors = {
  '400': json('Invalid input: { error: { code, message, requestId } }'),
  '401': json('Missing or invalid API key'),
  '403': json('Outside the caller’s role or tenants'),
};

function op(summary: string, permission: string, parameters: Param[] = [], body?: string) {
  return {
    summary,
    description: `Requires the \`${permission}\` permission.`,
    parameters: parameters.map((p) => ({ ...p, schema: { type: 'string' } })),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', description: body } } },
          },
        }
      : {}),
    responses: { '200': json('OK'), ...errors },
  };
}

/** The OpenAPI 3.1 document of the JSON API (served at /api/openapi.json). */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pulse API',
      version,
      description:
        'Executive intelligence from business events. Errors: { error: { code, message, requestId } }.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key' } },
      schemas: { BusinessEvents: catalogJsonSchema() },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/summary': {
        get: op(
          'Executive summary (SPEC §2) of a scope and window; default the last 30 days',
          'summary:read',
          [tenant, from, to],
        ),
      },
      '/api/events': {
        get: op('Stored events, newest first, keyset-paged', 'events:read', [
          tenant,
          { name: 'event', in: 'query', description: 'Event name' },
          from,
          to,
          { name: 'limit', in: 'query', description: '1..10000, default 100' },
          { name: 'cursor', in: 'query', description: 'next_cursor of the previous page' },
        ]),
      },
      '/api/reports/{name}': {
        get: op(
          'A named report: performance-dashboard | cost-optimization (?format=csv for CSV)',
          'reports:read',
          [
            { name: 'name', in: 'path', required: true, description: 'Report name' },
            tenant,
            from,
            to,
            { name: 'format', in: 'query', description: 'json (default) or csv' },
          ],
        ),
      },
      '/api/query': {
        post: op(
          'Read-only SQL over the views events and subscriptions, restricted to the caller’s tenants',
          'query:run',
          [],
          '{ "sql": "SELECT …", "max_rows"?: 1..50000 }',
        ),
      },
      '/api/subscriptions': { get: op('Tenant subscriptions', 'subscriptions:read', [tenant]) },
      '/api/subscriptions/{tenant}': {
        put: op(
          'Create or replace a subscription',
          'subscriptions:write',
          [{ name: 'tenant', in: 'path', required: true, description: 'Tenant id' }],
          '{ status, plan_name, price_monthly, current_period_start?, current_period_end? }',
        ),
        delete: op('Delete a subscription', 'subscriptions:write', [
          { name: 'tenant', in: 'path', required: true, description: 'Tenant id' },
        ]),
      },
      '/api/subscriptions/import': {
        post: op('Import a subscriptions CSV (text/csv body), all rows or none', 'subscriptions:write'),
      },
      '/api/quarantine': {
        get: op('Quarantined business events with their reasons', 'quarantine:read', [
          tenant,
          { name: 'event', in: 'query', description: 'Event name' },
        ]),
      },
      '/api/quarantine/replay': {
        post: op(
          'Re-check quarantined events, optionally with corrected properties',
          'quarantine:replay',
          [],
          '{ "ids": [...], "fixes"?: { "<id>": { property: value } } } or { "all": true }',
        ),
      },
      '/api/alerts': {
        get: op('Alerts, filtered by state, severity, tenant, rule, from/to', 'alerts:read', [
          { name: 'state', in: 'query', description: 'open | acknowledged | resolved (comma-separated)' },
          { name: 'severity', in: 'query', description: 'critical | high | medium (comma-separated)' },
          tenant,
          { name: 'rule', in: 'query', description: 'Rule ids' },
          from,
          to,
        ]),
      },
      '/api/alerts/{id}': {
        get: op('One alert with its transitions and deliveries', 'alerts:read', [
          { name: 'id', in: 'path', required: true, description: 'Alert id' },
        ]),
      },
      '/api/alerts/{id}/ack': {
        post: op(
          'Acknowledge an alert (who is the caller)',
          'alerts:write',
          [{ name: 'id', in: 'path', required: true, description: 'Alert id' }],
          '{ "comment"?: string }',
        ),
      },
      '/api/alerts/{id}/resolve': {
        post: op(
          'Resolve an alert by hand',
          'alerts:write',
          [{ name: 'id', in: 'path', required: true, description: 'Alert id' }],
          '{ "comment"?: string }',
        ),
      },
      '/api/rules': {
        get: op('Alert rules (data; the default set of SPEC §3 until edited)', 'rules:read'),
        put: op(
          'Replace the rule set; invalid rules are refused naming the field',
          'rules:write',
          [],
          '[Rule, …] (the whole rule set)',
        ),
      },
      '/api/rules/{id}': {
        get: op('One rule', 'rules:read', [
          { name: 'id', in: 'path', required: true, description: 'Rule id' },
        ]),
        put: op(
          'Create or replace one rule',
          'rules:write',
          [{ name: 'id', in: 'path', required: true, description: 'Rule id' }],
          'Rule',
        ),
        delete: op('Delete a rule', 'rules:write', [
          { name: 'id', in: 'path', required: true, description: 'Rule id' },
        ]),
      },
      '/api/budgets': { get: op('Monthly budgets per tenant (and per resource_type)', 'budgets:read') },
      '/api/budgets/{tenant}': {
        get: op('A tenant’s budget', 'budgets:read', [
          { name: 'tenant', in: 'path', required: true, description: 'Tenant id' },
        ]),
        put: op(
          'Set a tenant’s monthly budget, USD',
          'budgets:write',
          [{ name: 'tenant', in: 'path', required: true, description: 'Tenant id' }],
          '{ "monthly_usd": 10000, "resource_types"?: { "vps_instance": 2000 } }',
        ),
        delete: op('Remove a tenant’s budget', 'budgets:write', [
          { name: 'tenant', in: 'path', required: true, description: 'Tenant id' },
        ]),
      },
      '/api/keys': {
        get: op('API keys with role, tenants, status and last use (never secrets)', 'keys:manage'),
        post: op(
          'Create an API key; answers 201 { id, key, … } and the key is shown only this once',
          'keys:manage',
          [],
          '{ "role": "analyst", "tenants"?: ["a"] | "all", "name"?: string, "expires_at"?: ISO 8601 }',
        ),
      },
      '/api/keys/{id}': {
        delete: op('Revoke an API key (it stops working at once)', 'keys:manage', [
          { name: 'id', in: 'path', required: true, description: 'Key id' },
        ]),
      },
      '/api/audit': {
        get: op('The audit trail, newest first; format=jsonl|csv exports it in chain order', 'audit:read', [
          { name: 'actor', in: 'query', description: 'Actor id' },
          { name: 'action', in: 'query', description: "Action, or a prefix ending in '.' or '*'" },
          { name: 'result', in: 'query', description: 'ok | denied | error' },
          from,
          to,
          { name: 'limit', in: 'query', description: 'At most this many records (default 100)' },
          { name: 'format', in: 'query', description: 'json (default) | jsonl | csv' },
        ]),
      },
      '/api/audit/verify': {
        get: op('Walk the hash chain; reports the first edited, removed or reordered record', 'audit:read', [
          {
            name: 'head_seq',
            in: 'query',
            description: 'A head seq from an earlier verify (detects a cut tail)',
          },
          { name: 'head_hash', in: 'query', description: 'That head’s hash' },
        ]),
      },
    },
  };
}
