import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { alertRoutes as contract, type AlertView as ApiAlertView } from '@pulse/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertEngine } from '../../alerts/engine.js';
import { toTransitionView } from '../../alerts/present.js';
import { deliveryStatuses, durableChannelKinds, type Alert, type Delivery } from '../../alerts/types.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { guard } from '../auth.js';
import { inScope } from '../../access/rbac.js';
import { limitParam } from '../query-params.js';
import { alertPresenter, enumList, inboxFilter, type PeopleLookup } from './alert-inbox.js';

export interface AlertRouteDeps {
  alerts: Pick<
    AlertEngine,
    | 'inbox'
    | 'silences'
    | 'rules'
    | 'getAlert'
    | 'acknowledge'
    | 'resolve'
    | 'listDeliveries'
    | 'retryDelivery'
    | 'runDigest'
  >;
  publicUrl: string | null;
  people: PeopleLookup;
  /** Who is acting (kept with an ack or resolve); default the authenticated actor's id. */
  actorOf?: (request: FastifyRequest) => string;
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
  const { alerts } = deps;
  const present = alertPresenter(deps);
  const presentOne = async (alert: Alert) => (await present([alert]))[0] as ApiAlertView;
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
    const page = await alerts.inbox.alerts(
      inboxFilter(request, request.query, { fallback: 100, max: 10_000 }),
    );
    return {
      alerts: await present(page.alerts),
      hasMore: page.nextCursor !== null,
      nextCursor: page.nextCursor,
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
      ...(await presentOne(alert)),
      transitions: transitions.map(toTransitionView),
      notifications: deliveries.map(presentDelivery),
    };
  });

  api.post('/api/alerts/:id/ack', { schema: contract.acknowledge }, async (request) => {
    const note = comment(request.body);
    await authorized(request, request.params.id, 'alerts:write');
    return presentOne(await alerts.acknowledge(request.params.id, actorOf(request), note));
  });

  api.post('/api/alerts/:id/resolve', { schema: contract.resolve }, async (request) => {
    const note = comment(request.body);
    await authorized(request, request.params.id, 'alerts:write');
    return presentOne(await alerts.resolve(request.params.id, actorOf(request), note));
  });
}
