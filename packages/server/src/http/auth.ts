import type { FastifyInstance, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import { BOOTSTRAP_ADMIN_ID, keyMatches } from '../access/admin-key.js';
import { CSRF_HEADER, SESSION_COOKIE, type Sessions } from '../access/sessions.js';
import { authorize, permissions, type Actor, type Permission } from '../access/rbac.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by `authenticate` on every /api route. */
    actor: Actor;
    /** The session cookie's token when the caller signed in through the dashboard. */
    sessionToken: string | null;
  }
  interface FastifyContextConfig {
    /** 'optional': the route runs for anonymous callers too (sign-in). */
    auth?: 'optional';
  }
}

/** Resolves a presented API key to an actor, or null. */
export type KeyResolver = (key: string) => Promise<Actor | null>;

/** The bootstrap admin key: the one actor that exists before any user or key is created. */
export function adminKeyResolver(adminKey: string): KeyResolver {
  const admin: Actor = { kind: 'api_key', id: BOOTSTRAP_ADMIN_ID, role: 'admin', tenants: 'all' };
  return async (key) => (keyMatches(key, adminKey) ? admin : null);
}

/** Project tokens are identities too: capture only, so every /api read with one is refused and audited. */
export function projectTokenResolver(tokens: readonly string[]): KeyResolver {
  return async (key) => {
    const index = tokens.findIndex((token) => keyMatches(key, token));
    return index < 0
      ? null
      : { kind: 'project_token', id: `project-token-${index + 1}`, role: 'ingest', tenants: [] };
  };
}

/** How a request proves who it is: a Bearer credential (API key, project token) or a session cookie. */
export interface Authenticators {
  bearer: KeyResolver;
  sessions: Sessions;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every /api route needs `Authorization: Bearer <api key>` or a session cookie; routes with
 * `config: { auth: 'optional' }` (sign-in) run without. A cookie-authenticated change must also carry the
 * session's CSRF token in `x-pulse-csrf`: another site can make the browser send the cookie, not the header.
 */
export function authenticate(app: FastifyInstance, auth: Authenticators): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (request) => {
    const optional = request.routeOptions.config.auth === 'optional';
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new UnauthorizedError('the Authorization header must be "Bearer <api key>"');
      const actor = await auth.bearer(match[1]);
      if (!actor) throw new UnauthorizedError('the API key is not valid (unknown, revoked or expired)');
      request.actor = actor;
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await auth.sessions.resolve(token);
      if (session) {
        request.actor = session.actor;
        request.sessionToken = token;
        if (
          unsafeMethods.has(request.method) &&
          !optional &&
          !auth.sessions.csrfMatches(token, request.headers[CSRF_HEADER] as string | undefined)
        )
          throw new ForbiddenError(
            `a change made with a session cookie needs the ${CSRF_HEADER} header (GET /api/session gives it)`,
          );
        return;
      }
      if (!optional)
        throw new UnauthorizedError('the session has ended (signed out, expired or revoked); sign in again');
    }
    if (!optional)
      throw new UnauthorizedError(
        'missing credentials: an Authorization: Bearer <api key> header or a session cookie',
      );
  });
}

const isPermission = (value: unknown): value is Permission =>
  (permissions as readonly unknown[]).includes(value);

/**
 * The role check, before the input is validated: a caller whose role may not use a route is refused with 403
 * whatever it sent, and learns nothing of the route's input. The permission is the one the route's schema
 * documents (`x-pulse-permission`); handlers still check tenants with `guard`.
 */
export function checkRole(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as { 'x-pulse-permission'?: unknown } | undefined;
    const permission = schema?.['x-pulse-permission'];
    if (isPermission(permission)) guard(request, permission);
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
