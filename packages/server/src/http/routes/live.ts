import { liveRoute } from '@pulse/api';
import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessChanges } from '../../access/access-changes.js';
import type { AuditResult } from '../../access/audit-chain.js';
import { clientRequestIdOf } from '../../access/audit-requests.js';
import type { Credentials } from '../../access/credentials.js';
import { inScope, type Actor } from '../../access/rbac.js';
import type { DashboardStream } from '../../alerts/channels/dashboard.js';
import type { Clock } from '../../clock.js';
import { DomainError, ForbiddenError } from '../../errors.js';
import type { EventStream } from '../../ingestion/event-stream.js';
import { createLiveConnection } from '../../live/live-connection.js';
import { createLiveGuard, LIVE_CLOSE, liveScopeOf, type LiveScope } from '../../live/live-guard.js';
import { createLiveHub } from '../../live/live-hub.js';
import type { AuditLog } from '../../storage/audit-log.js';

export interface LiveRouteDeps {
  events: Pick<EventStream, 'subscribe'>;
  dashboard: Pick<DashboardStream, 'subscribe'>;
  /** Must throw when a record is not durably written (the server's audit trail does). */
  audit: Pick<AuditLog, 'append'>;
  /** Revocations and grant changes, which close the sockets they concern. */
  changes: Pick<AccessChanges, 'subscribe'>;
  credentials: Pick<Credentials, 'of' | 'current'>;
  /** When sessions and keys expire. */
  clock: Clock;
  /** Batch window of event deltas (default 250 ms). */
  flushMs?: number;
}

const PING_MS = 30_000;

function liveScope(actor: Actor): LiveScope {
  const scope = liveScopeOf(actor);
  if (scope === null)
    throw new ForbiddenError(
      `role ${actor.role} may not subscribe to live data (needs summary:read or alerts:read)`,
    );
  return scope;
}

/**
 * A session cookie rides along on any cross-site WebSocket (browsers send cookies on upgrades and CORS
 * does not apply), so a cookie-authenticated upgrade must come from a page of this very host.
 */
function checkOrigin(request: FastifyRequest): void {
  if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return;
  const origin = request.headers.origin;
  let originHost: string | null;
  try {
    originHost = origin ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (!originHost || originHost !== request.headers.host)
    throw new ForbiddenError('a session-authenticated live connection must come from a page of this host');
}

/**
 * WebSocket /api/live: committed-event deltas and alert transitions, filtered by the caller's
 * tenants. Register inside the authenticated /api scope so `request.actor` is set before the upgrade.
 */
export async function liveRoutes(app: FastifyInstance, deps: LiveRouteDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 4096 } });
  const hub = createLiveHub({
    events: deps.events,
    dashboard: deps.dashboard,
    ...(deps.flushMs !== undefined ? { flushMs: deps.flushMs } : {}),
  });
  const guard = createLiveGuard({
    changes: deps.changes,
    credentials: deps.credentials,
    clock: deps.clock,
    onCheckError: (error) => app.log.error({ err: error }, 'could not re-check the access of a live socket'),
  });
  const boot = randomUUID();
  app.addHook('onClose', async () => {
    guard.close();
    hub.close();
  });
  // An upgrade refused before the websocket plugin's own hooks ran (401 from authenticate) leaves the raw
  // socket open, which would hold the server's close forever: end it once the refusal is written.
  app.addHook('onResponse', async (request) => {
    if (request.headers.upgrade?.toLowerCase() === 'websocket' && !request.ws) request.raw.socket.end();
  });

  app.route({
    method: 'GET',
    url: '/api/live',
    schema: liveRoute,
    preHandler: async (request) => {
      const scope = liveScope(request.actor);
      if (!request.ws) return;
      checkOrigin(request);
      const actor = request.actor;
      // The subscription is an access to business data: recorded durably before it starts; a record that
      // cannot be written refuses the upgrade (503 audit_unavailable).
      await deps.audit.append({
        at: Date.now(),
        actor: { kind: actor.kind, id: actor.id, role: actor.role },
        action: 'live.subscribe',
        scope,
        detail: { method: 'GET', route: '/api/live', status: 101, origin: request.headers.origin ?? null },
        result: 'ok',
        requestId: request.id,
        clientRequestId: clientRequestIdOf(request),
      });
    },
    handler: async (_request, reply) => {
      void reply.header('upgrade', 'websocket');
      throw new DomainError('upgrade_required', '/api/live is a WebSocket: connect with Upgrade: websocket');
    },
    wsHandler: (socket, request) => {
      const actor = request.actor;
      const scope = liveScope(actor);
      const connection = createLiveConnection(socket);
      // A forced close is an access outcome: audited (the subscription itself was, before the upgrade).
      const audit = (action: string, result: AuditResult, detail: Record<string, unknown>) =>
        void deps.audit
          .append({
            at: Date.now(),
            actor: { kind: actor.kind, id: actor.id, role: actor.role },
            action,
            scope,
            detail: { method: 'GET', route: '/api/live', ...detail },
            result,
            requestId: request.id,
            clientRequestId: clientRequestIdOf(request),
          })
          .catch((error: unknown) => request.log.error({ err: error }, `could not audit ${action}`));
      let unsubscribe: () => void = () => undefined;
      const guarded = guard.watch({
        credential: deps.credentials.of(actor, request.sessionToken),
        role: actor.role,
        scope,
        end: ({ code, reason }) => {
          connection.close();
          unsubscribe();
          socket.close(code, reason);
          audit('live.close', code === LIVE_CLOSE.checkFailed ? 'error' : 'denied', { code, reason });
        },
      });
      const ping = setInterval(() => socket.ping(), PING_MS);
      ping.unref();
      socket.on('close', () => {
        clearInterval(ping);
        connection.close();
        guarded.release();
        unsubscribe();
      });
      // Nothing streams before the credential is re-checked; clients only listen, anything they send is ignored.
      void guarded.ready.then((ok) => {
        if (!ok || socket.readyState !== socket.OPEN) return;
        unsubscribe = hub.subscribe({
          canSee: (tenant) => inScope(scope, tenant),
          send: (message) => connection.send(message),
        });
        connection.hello({ boot, at: new Date().toISOString(), scope, role: actor.role });
      });
    },
  });
}
