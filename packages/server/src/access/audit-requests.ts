import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../storage/audit-log.js';
import { AuditUnavailableError } from '../errors.js';
import type { AuditActor, AuditEntry, AuditResult } from './audit-chain.js';
import { scopeOf, type Actor } from './rbac.js';

/**
 * Records every /api request in the audit trail: who, what, on which tenants, with what result, under
 * which request id; the SQL of POST /api/query. Fails closed, so no access goes unrecorded:
 * - the outcome record is written before the response is sent (onSend) and the response waits for it;
 *   when it cannot be written the answer is replaced by 503 `audit_unavailable` (no data leaves);
 * - a change (any method but GET/HEAD, except the read-only POST /api/query) first gets a `started`
 *   record, written durably before its handler runs: if that fails the change is refused unapplied.
 * Register it on the same encapsulated scope as `authenticate`, so it sees exactly the /api routes.
 *
 * Action names: `actionFor(method, route)`:
 * - explicit names first (`explicitActions`: query.run, keys.revoke, audit.verify, …);
 * - otherwise the route's fixed segments after /api joined by '.', then
 *   - POST to a route with two or more fixed segments: the last segment is the verb
 *     (POST /api/quarantine/replay → quarantine.replay, POST /api/alerts/:id/ack → alerts.ack,
 *     POST /api/subscriptions/import → subscriptions.import);
 *   - else a verb from the method: GET → read, POST → create, PUT → set, PATCH → update, DELETE → delete
 *     (GET /api/summary → summary.read, POST /api/keys → keys.create, PUT /api/budgets/:tenant → budgets.set).
 * Results: status < 400 → ok; 401 and 403 → denied (with the reason); anything else → error.
 */

export const explicitActions: Readonly<Record<string, string>> = {
  'POST /api/query': 'query.run',
  'POST /api/session': 'session.login',
  'DELETE /api/session': 'session.logout',
  'GET /api/reports/:name': 'report.read',
  'DELETE /api/keys/:id': 'keys.revoke',
  'GET /api/keys': 'keys.list',
  'GET /api/audit': 'audit.read',
  'GET /api/audit/verify': 'audit.verify',
};

const verbs: Readonly<Record<string, string>> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'create',
  PUT: 'set',
  PATCH: 'update',
  DELETE: 'delete',
};

export function actionFor(method: string, route: string): string {
  const m = method.toUpperCase();
  const explicit = explicitActions[`${m} ${route}`];
  if (explicit) return explicit;
  const fixed = route
    .replace(/^\/api\/?/, '')
    .split('/')
    .filter((s) => s && !s.startsWith(':') && s !== '*');
  if (!fixed.length) return `api.${verbs[m] ?? m.toLowerCase()}`;
  if (m === 'POST' && fixed.length >= 2) return fixed.join('.');
  return `${fixed.join('.')}.${verbs[m] ?? m.toLowerCase()}`;
}

/** POSTs that only read: their single outcome record is written before any data leaves. */
const readOnlyPosts = new Set(['/api/query']);

const changes = (method: string, route: string) =>
  !['GET', 'HEAD'].includes(method.toUpperCase()) && !readOnlyPosts.has(route);

/**
 * A caller's X-Request-Id is kept (as clientRequestId, beside the server's own id) only when it is a short
 * token: letters, digits and . _ : - up to 128 characters, which covers UUIDs, ULIDs and trace ids.
 */
export const clientRequestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function clientRequestIdOf(request: FastifyRequest): string | null {
  const value = request.headers['x-request-id'];
  return typeof value === 'string' && clientRequestIdPattern.test(value) ? value : null;
}

const details = new WeakMap<FastifyRequest, Record<string, unknown>>();
const failures = new WeakMap<FastifyRequest, string>();
/** Changes whose `started` record is written. */
const started = new WeakSet<FastifyRequest>();

/** Adds facts to this request's audit record (a created key's id, counts); never secrets. */
export function auditDetail(request: FastifyRequest, detail: Record<string, unknown>): void {
  details.set(request, { ...details.get(request), ...detail });
}

const MAX_TEXT = 2_000;
const MAX_SQL = 20_000;
const clip = (s: string, max = MAX_TEXT) => (s.length > max ? `${s.slice(0, max)}…` : s);

function tenantsAsked(request: FastifyRequest): string[] | undefined {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const asked: string[] = [];
  if (typeof params.tenant === 'string') asked.push(params.tenant);
  const q = query.tenant;
  for (const v of Array.isArray(q) ? q : q === undefined ? [] : [q])
    if (typeof v === 'string')
      for (const tenant of v.split(',').map((t) => t.trim())) if (tenant) asked.push(tenant);
  return asked.length ? [...new Set(asked)] : undefined;
}

function actorOf(actor: Actor | null | undefined): AuditActor {
  return actor
    ? { kind: actor.kind, id: actor.id, role: actor.role }
    : { kind: 'anonymous', id: 'anonymous', role: null };
}

function resultOf(status: number): AuditResult {
  if (status < 400) return 'ok';
  return status === 401 || status === 403 ? 'denied' : 'error';
}

/** Plain JSON of the querystring and params, strings clipped. */
function plain(value: unknown): Record<string, unknown> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = clip(v);
    else if (Array.isArray(v)) out[k] = v.map((x) => clip(String(x)));
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v !== undefined) out[k] = clip(JSON.stringify(v) ?? '');
  }
  return Object.keys(out).length ? out : undefined;
}

const routeOf = (request: FastifyRequest) =>
  request.routeOptions.url ?? request.url.split('?')[0] ?? request.url;

/** The record of `request` as it stands, with `result` and the facts gathered so far. */
export function requestRecord(
  request: FastifyRequest,
  result: AuditResult,
  status: number | null,
): AuditEntry {
  const route = routeOf(request);
  const actor = (request.actor as Actor | null | undefined) ?? null;
  const asked = tenantsAsked(request);
  const body = request.body as { sql?: unknown } | undefined;
  const detail: Record<string, unknown> = {
    method: request.method,
    route,
    ...(status === null ? {} : { status }),
    params: plain(request.params),
    query: plain(request.query),
    ...(route === '/api/query' && typeof body?.sql === 'string' ? { sql: clip(body.sql, MAX_SQL) } : {}),
    ...(result !== 'ok' && failures.has(request) ? { reason: clip(failures.get(request) ?? '') } : {}),
    ...(!actor ? presentedKeyId(request) : {}),
    ...details.get(request),
  };
  return {
    at: Date.now(),
    actor: actorOf(actor),
    action: actionFor(request.method, route),
    scope: asked ?? (actor ? scopeOf(actor) : []),
    detail,
    result,
    requestId: request.id,
    clientRequestId: clientRequestIdOf(request),
  };
}

/** The 503 that replaces an answer whose record could not be written. */
function refusal(request: FastifyRequest, error: unknown): string {
  const message =
    error instanceof AuditUnavailableError
      ? error.message
      : `the audit record could not be written (${(error as Error).message}); the access is refused`;
  const applied = started.has(request)
    ? ' The change itself was recorded as started before it ran, and may have been applied.'
    : '';
  return JSON.stringify({
    error: { code: 'audit_unavailable', message: `${message}${applied}`, requestId: request.id },
  });
}

/** `log.append` must throw when a record is not durably written (see `auditTrail`). */
export function auditRequests(app: FastifyInstance, log: Pick<AuditLog, 'append'>): void {
  app.addHook('onError', async (request, _reply, error) => {
    failures.set(request, error.message);
  });
  app.addHook('preHandler', async (request) => {
    if (!changes(request.method, routeOf(request))) return;
    // throws when not written: the change is refused before its handler runs
    await log.append(requestRecord(request, 'started', null));
    started.add(request);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      await log.append(requestRecord(request, resultOf(reply.statusCode), reply.statusCode));
      return payload;
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit record; the response is refused');
      if (payload && typeof (payload as { destroy?: unknown }).destroy === 'function')
        (payload as { destroy: () => void }).destroy();
      reply.removeHeader('content-disposition');
      void reply.code(503).type('application/json; charset=utf-8');
      return refusal(request, error);
    }
  });
}

/** For a refused `pulse_<id>_…` key: its id (not secret), so revoked-key use is traceable. */
function presentedKeyId(request: FastifyRequest): { key_id?: string } {
  const match = /^Bearer\s+pulse_([0-9a-f]{16})_/i.exec(request.headers.authorization ?? '');
  return match?.[1] ? { key_id: match[1] } : {};
}
