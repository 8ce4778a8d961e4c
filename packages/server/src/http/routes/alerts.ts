import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { alertRoutes as contract } from '@pulse/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertEngine } from '../../alerts/engine.js';
import { toApiAlert, toTransitionView } from '../../alerts/present.js';
import {
  alertStates,
  deliveryStatuses,
  durableChannelKinds,
  severities,
  type Delivery,
} from '../../alerts/types.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { guard } from '../auth.js';
import { inScope } from '../../access/rbac.js';
import { limitParam, listParam, timeParam } from '../query-params.js';

export interface AlertRouteDeps {
  alerts: Pick<
    AlertEngine,
    'listAlerts' | 'getAlert' | 'acknowledge' | 'resolve' | 'listDeliveries' | 'retryDelivery' | 'runDigest'
  >;
  publicUrl: string | null;
  /** Who is acting (kept with an ack or resolve); default the authenticated actor's id. */
  actorOf?: (request: FastifyRequest) => string;
}

/** `state=open,acknowledged` checked against the allowed values; undefined when absent. */
function enumList<T extends string>(
  name: string,
  raw: string | string[] | undefined,
  allowed: readonly T[],
): T[] | undefined {
  const values = listParam(raw);
  if (values === undefined) return undefined;
  const bad = values.find((v) => !(allowed as readonly string[]).includes(v));
  if (bad !== undefined)
    throw new ValidationError(name, `must be one of ${allowed.join(', ')}; received ${JSON.stringify(bad)}`);
  return values as T[];
}

function comment(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('body', 'must be {"comment": "…"} (or empty)');
  const value = (body as { comment?: unknown }).comment;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 2000)
    throw new ValidationError('comment', 'must be text of at most 2,000 characters');
  return value.trim() || null;
}

export function presentDelivery(d: Delivery) {
  return {
    id: d.id,
    alertId: d.alertId,
    transitionId: d.transitionId,
    channel: d.channel,
    target: d.target || null,
    kind: d.payload.type === 'alert' ? `alert.${d.payload.transition.kind}` : 'digest.weekly',
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? new Date(d.nextAttemptAt).toISOString() : null,
    lastError: d.lastError,
    createdAt: new Date(d.createdAt).toISOString(),
    sentAt: d.sentAt === null ? null : new Date(d.sentAt).toISOString(),
  };
}

/** Alerts: list with filters, one with its history, ack and resolve, and the outbox. */
export function alertRoutes(app: FastifyInstance, deps: AlertRouteDeps): void {
  const { alerts, publicUrl } = deps;
  const actorOf = deps.actorOf ?? ((request: FastifyRequest) => request.actor.id);
  /** Operations across tenants (the outbox, the digest) need an actor that sees every tenant. */
  const guardAll = (request: FastifyRequest, permission: 'alerts:read' | 'alerts:write') => {
    if (guard(request, permission) !== 'all')
      throw new ForbiddenError(`${permission} on notifications needs access to every tenant`);
  };
  /** The alert, once the actor may act on its tenant. */
  const authorized = async (
    request: FastifyRequest,
    id: string,
    permission: 'alerts:read' | 'alerts:write',
  ) => {
    // The role first: a caller who may not read alerts learns nothing about which ids exist.
    const scope = guard(request, permission);
    const found = await alerts.getAlert(id);
    // Refused (and audited as such) without naming the other tenant.
    if (!inScope(scope, found.alert.tenantId))
      throw new ForbiddenError(`alert ${id} belongs to a tenant outside your scope`);
    return found;
  };

  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/alerts', { schema: contract.listAlerts }, async (request) => {
    const q = request.query;
    const states = enumList('state', q.state, alertStates);
    const severityList = enumList('severity', q.severity, severities);
    const scope = guard(request, 'alerts:read', listParam(q.tenant));
    const tenants = scope === 'all' ? undefined : scope;
    const rules = listParam(q.rule);
    const from = timeParam('from', q.from);
    const to = timeParam('to', q.to);
    const limit = limitParam(q.limit, 100, 10_000);
    const list = await alerts.listAlerts({
      ...(states ? { states } : {}),
      ...(severityList ? { severities: severityList } : {}),
      ...(tenants ? { tenants } : {}),
      ...(rules ? { rules } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      // One more than asked tells whether more match, without counting them all.
      limit: limit + 1,
    });
    return {
      alerts: list.slice(0, limit).map((a) => toApiAlert(a, publicUrl)),
      hasMore: list.length > limit,
    };
  });

  api.get('/api/alerts/outbox', { schema: contract.listOutbox }, async (request) => {
    guardAll(request, 'alerts:read');
    const q = request.query;
    const statuses = enumList('status', q.status, deliveryStatuses);
    const channel = enumList('channel', q.channel, durableChannelKinds)?.[0];
    const list = await alerts.listDeliveries({
      ...(statuses ? { statuses } : {}),
      ...(q.alert ? { alertId: q.alert } : {}),
      ...(channel ? { channel } : {}),
      limit: limitParam(q.limit, 100, 10_000),
    });
    return { notifications: list.map(presentDelivery) };
  });

  api.post('/api/alerts/outbox/:id/retry', { schema: contract.retryNotification }, async (request) => {
    guardAll(request, 'alerts:write');
    return presentDelivery(await alerts.retryDelivery(request.params.id));
  });

  /** Sends the weekly digest of medium alerts now (idempotent within the same minute). */
  api.post('/api/alerts/digest', { schema: contract.runDigest }, async (request) => {
    guardAll(request, 'alerts:write');
    return { notifications: (await alerts.runDigest()).map(presentDelivery) };
  });

  api.get('/api/alerts/:id', { schema: contract.getAlert }, async (request) => {
    const { alert, transitions, deliveries } = await authorized(request, request.params.id, 'alerts:read');
    return {
      ...toApiAlert(alert, publicUrl),
      transitions: transitions.map(toTransitionView),
      notifications: deliveries.map(presentDelivery),
    };
  });

  api.post('/api/alerts/:id/ack', { schema: contract.acknowledge }, async (request) => {
    const note = comment(request.body);
    await authorized(request, request.params.id, 'alerts:write');
    return toApiAlert(await alerts.acknowledge(request.params.id, actorOf(request), note), publicUrl);
  });

  api.post('/api/alerts/:id/resolve', { schema: contract.resolve }, async (request) => {
    const note = comment(request.body);
    await authorized(request, request.params.id, 'alerts:write');
    return toApiAlert(await alerts.resolve(request.params.id, actorOf(request), note), publicUrl);
  });
}
