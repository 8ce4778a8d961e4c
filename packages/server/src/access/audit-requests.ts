import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog } from '../storage/audit-log.js';
import type { AuditActor, AuditResult } from './audit-chain.js';
import { scopeOf, type Actor } from './rbac.js';

/**
 * Records every /api request in the audit trail (issue 6): who, what, on which tenants, with what
 * result, under which request id; the SQL of POST /api/query. The record is written before the response
 * is sent (onSend), so a caller who got an answer, a changed key or a report can rely on its record being
 * durable: a crash cannot leave an acknowledged action unaudited. Register it on the same encapsulated
 * scope as `authenticate`, so it sees exactly the /api routes.
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

const details = new WeakMap<FastifyRequest, Record<string, unknown>>();
const failures = new WeakMap<FastifyRequest, string>();

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
      asked.push(
        ...v
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      );
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

export interface AuditRequestsOptions {
  /**
   * Called when a record could not be written. The response still goes out as it was: the action has
   * happened, and turning its answer into an error would invite a retry that repeats it.
   */
  onError?: (error: unknown, request: FastifyRequest) => void;
}

export function auditRequests(
  app: FastifyInstance,
  log: Pick<AuditLog, 'append'>,
  options: AuditRequestsOptions = {},
): void {
  app.addHook('onError', async (request, _reply, error) => {
    failures.set(request, error.message);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? request.url;
    const status = reply.statusCode;
    const result = resultOf(status);
    const actor = (request.actor as Actor | null | undefined) ?? null;
    const asked = tenantsAsked(request);
    const body = request.body as { sql?: unknown } | undefined;
    const detail: Record<string, unknown> = {
      method: request.method,
      route,
      status,
      params: plain(request.params),
      query: plain(request.query),
      ...(route === '/api/query' && typeof body?.sql === 'string' ? { sql: clip(body.sql, MAX_SQL) } : {}),
      ...(result !== 'ok' && failures.has(request) ? { reason: clip(failures.get(request) ?? '') } : {}),
      ...(!actor ? presentedKeyId(request) : {}),
      ...details.get(request),
    };
    // append is called before any await, so a caller's flush() covers this record
    const written = log.append({
      at: Date.now(),
      actor: actorOf(actor),
      action: actionFor(request.method, route),
      scope: asked ?? (actor ? scopeOf(actor) : []),
      detail,
      result,
      requestId: request.id,
    });
    try {
      await written;
    } catch (error) {
      if (options.onError) options.onError(error, request);
      else request.log.error({ err: error }, 'could not write the audit record');
    }
    return payload;
  });
}

/** For a refused `pulse_<id>_…` key: its id (not secret), so revoked-key use is traceable. */
function presentedKeyId(request: FastifyRequest): { key_id?: string } {
  const match = /^Bearer\s+pulse_([0-9a-f]{16})_/i.exec(request.headers.authorization ?? '');
  return match?.[1] ? { key_id: match[1] } : {};
}
