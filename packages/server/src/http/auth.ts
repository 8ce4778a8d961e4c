import type { FastifyInstance, FastifyRequest } from 'fastify';
import { keyMatches } from '../access/admin-key.js';
import { authorize, type Actor, type Permission } from '../access/rbac.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by `authenticate` on every /api route. */
    actor: Actor;
  }
}

/** Resolves a presented API key to an actor, or null. */
export type KeyResolver = (key: string) => Promise<Actor | null>;

/** The bootstrap admin key: the one actor that exists before any user or key is created. */
export function adminKeyResolver(adminKey: string): KeyResolver {
  const admin: Actor = { kind: 'api_key', id: 'bootstrap-admin', role: 'admin', tenants: 'all' };
  return async (key) => (keyMatches(key, adminKey) ? admin : null);
}

/** Every /api route needs `Authorization: Bearer <api key>` (SPEC §6). */
export function authenticate(app: FastifyInstance, resolve: KeyResolver): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('missing Authorization: Bearer <api key> header');
    const actor = await resolve(match[1]);
    if (!actor) throw new UnauthorizedError('the API key is not valid (unknown, revoked or expired)');
    request.actor = actor;
  });
}

/** A store filter for a scope: no filter for 'all'. */
export function tenantFilter(scope: readonly string[] | 'all'): { tenants?: readonly string[] } {
  return scope === 'all' ? {} : { tenants: scope };
}

/**
 * Authorizes the request's actor for `permission` on the tenants it asks for (undefined = all it may see)
 * and returns the scope to filter by; throws 403 naming what was refused.
 */
export function guard(
  request: FastifyRequest,
  permission: Permission,
  tenants?: readonly string[],
): readonly string[] | 'all' {
  const decision = authorize(request.actor, permission, tenants);
  if (!decision.allowed) throw new ForbiddenError(decision.reason);
  return decision.scope;
}
