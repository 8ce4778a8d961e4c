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
    // Machine-readable for clients and for the role × route authorization suite.
    'x-pulse-permission': permission,
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

const userId: Param = { name: 'id', in: 'path', required: true, description: 'User id (u_…)' };

/** Operations across tenants (the outbox, the digest): only for callers who see every tenant. */
function everyTenant<T extends { description: string }>(operation: T): T & { 'x-pulse-every-tenant': true } {
  return {
    ...operation,
    description: `${operation.description} The caller must see every tenant.`,
    'x-pulse-every-tenant': true,
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
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'pulse_session',
          description: 'Dashboard session (POST /api/session)',
        },
      },
      schemas: { BusinessEvents: catalogJsonSchema() },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/api/summary': {
        get: op(
          'Executive summary (SPEC §2) of a scope and window; default the last 30 days',
          'summary:read',
          [tenant, from, to],
        ),
      },
      '/api/series': {
        get: op(
          "The dashboard's chart series of a scope and window (daily, hourly up to 3 days): revenue impact, savings, efficiency by metric, deliverability vs thresholds, cost run-rate vs budget, latest resource utilization",
          'summary:read',
          [tenant, from, to],
        ),
      },
      '/api/live': {
        get: op(
          "WebSocket (Upgrade: websocket; 426 otherwise) pushing JSON messages, each with a per-connection seq from 1: hello {boot, scope, role}; events.delta {at, tenants: {tenant: {event: {count, negativeRevenueImpact?, positiveRevenueImpact?, realizedSavings?, projectedSavings?}}}} batched every 250 ms; alert.transition {kind, at, actor, comment, alert}; alert.updated {alert}. Needs summary:read or alerts:read (every reading role holds both). Filtered by the caller's tenants; a session-cookie upgrade must send an Origin of this host. After a reconnect, refetch GET /api/summary and /api/alerts. The socket closes when its access ends (4401: key revoked or expired, signed out, session expired, user disabled or removed, password changed) or changes (4403: role or tenants changed; reconnect), with a reason; see docs/live.md.",
          'summary:read',
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
      '/api/alerts/outbox': {
        get: everyTenant(
          op(
            'Notifications in the durable outbox (pending, sent, failed) with attempts and errors',
            'alerts:read',
            [
              { name: 'status', in: 'query', description: 'pending | sent | failed (repeatable)' },
              { name: 'alert', in: 'query', description: 'Alert id' },
              { name: 'channel', in: 'query', description: 'slack | email | webhook' },
              { name: 'limit', in: 'query', description: 'At most this many (default 100)' },
            ],
          ),
        ),
      },
      '/api/alerts/outbox/{id}/retry': {
        post: everyTenant(
          op('Retry a failed notification now', 'alerts:write', [
            { name: 'id', in: 'path', required: true, description: 'Notification id' },
          ]),
        ),
      },
      '/api/alerts/digest': {
        post: everyTenant(op('Send the digest of medium alerts now', 'alerts:write')),
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
      '/api/session': {
        post: {
          ...op(
            'Sign in: sets the HttpOnly pulse_session cookie and returns { user, csrfToken, expiresAt }; 429 after repeated failures',
            'none (sign-in)',
            [],
            '{ "email": string, "password": string }',
          ),
          security: [],
        },
        get: op(
          'Who is signed in, with the CSRF token that cookie-authenticated changes send as x-pulse-csrf',
          'a session cookie',
        ),
        delete: {
          ...op('Sign out: ends the session and clears the cookie', 'none (sign-out)'),
          security: [],
        },
      },
      '/api/users': {
        get: op('Dashboard users with role, tenants and status (never passwords)', 'users:manage'),
        post: op(
          'Create a user (password hashed with argon2id); 409 when the email is taken',
          'users:manage',
          [],
          '{ "email": string, "password": string (≥ 12), "role": "executive", "tenants"?: ["a"] | "all", "name"?: string }',
        ),
      },
      '/api/users/{id}': {
        get: op('One user', 'users:manage', [userId]),
        patch: op(
          "Change a user's role, tenants, name or password, or disable them; a new password or disabling ends their sessions",
          'users:manage',
          [userId],
          '{ "role"?: …, "tenants"?: …, "password"?: string, "name"?: string, "disabled"?: boolean }',
        ),
        delete: op('Remove a user and end their sessions', 'users:manage', [userId]),
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
          { name: 'result', in: 'query', description: 'ok | denied | error | started' },
          from,
          to,
          { name: 'limit', in: 'query', description: 'At most this many records (default 100)' },
          { name: 'format', in: 'query', description: 'json (default) | jsonl | csv' },
        ]),
      },
      '/api/retention': {
        get: op(
          'Retention policies (max age in days per event type, optionally per tenant)',
          'retention:manage',
        ),
        put: op(
          'Replace every retention policy; a 400 lists every bad entry with its index',
          'retention:manage',
          [],
          '[{ "event": "revenue_impact_event" | … | "generic" | "*", "tenant"?: string, "days": 90 | "forever" }, …]',
        ),
      },
      '/api/retention/apply': {
        post: op(
          'Apply the policies now: deleted (or, dry, deletable) events and quarantine entries per event type and tenant',
          'retention:manage',
          [{ name: 'dryRun', in: 'query', description: 'true: count only, delete nothing (default false)' }],
        ),
      },
      '/api/audit/verify': {
        get: op(
          'Walk the hash chain; reports the first edited, removed or reordered record, and records the server could not write since start',
          'audit:read',
          [
            {
              name: 'head_seq',
              in: 'query',
              description: 'A head seq from an earlier verify (detects a cut tail)',
            },
            { name: 'head_hash', in: 'query', description: 'That head’s hash' },
          ],
        ),
      },
    },
  };
}
