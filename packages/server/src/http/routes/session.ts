import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessRoutes as contract } from '@pulse/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { auditDetail } from '../../access/audit-requests.js';
import { SESSION_COOKIE, type Sessions } from '../../access/sessions.js';
import { presentUser } from '../../access/users.js';
import { UnauthorizedError } from '../../errors.js';
import type { UserStore } from '../../storage/user-store.js';

export interface SessionRouteOptions {
  sessions: Sessions;
  users: UserStore;
  /** Cookies get `Secure` when Pulse serves HTTPS (or sits behind a proxy that does). */
  secureCookies: boolean;
}

/**
 * Dashboard sign-in: POST creates a session (HttpOnly, SameSite=Strict cookie), GET says who is
 * signed in and hands the CSRF token, DELETE signs out. Attempts are throttled per account and address.
 */
export function sessionRoutes(app: FastifyInstance, options: SessionRouteOptions): void {
  const { sessions } = options;
  const setCookie = (reply: FastifyReply, value: string, expiresAt: number) =>
    reply.setCookie(SESSION_COOKIE, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: options.secureCookies,
      expires: new Date(expiresAt),
    });

  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/api/session',
    { config: { auth: 'optional' }, schema: contract.signIn },
    async (request, reply) => {
      const body = request.body ?? {};
      auditDetail(request, { email: typeof body.email === 'string' ? body.email.slice(0, 254) : null });
      const signedIn = await sessions.signIn(body.email, body.password, request.ip);
      request.actor = {
        kind: 'user',
        id: signedIn.user.id,
        role: signedIn.user.role,
        tenants: signedIn.user.tenants,
      };
      setCookie(reply, signedIn.token, signedIn.expiresAt);
      void reply.header('cache-control', 'no-store');
      return {
        user: signedIn.user,
        csrfToken: signedIn.csrfToken,
        expiresAt: new Date(signedIn.expiresAt).toISOString(),
      };
    },
  );

  api.get('/api/session', { schema: contract.getSession }, async (request, reply) => {
    const token = request.sessionToken;
    if (!token) throw new UnauthorizedError('not signed in with a session (this request used an API key)');
    const session = await sessions.resolve(token);
    if (!session) throw new UnauthorizedError('the session has ended; sign in again');
    void reply.header('cache-control', 'no-store');
    return {
      user: presentUser(session.user),
      csrfToken: sessions.csrfFor(token),
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  });

  api.delete(
    '/api/session',
    { config: { auth: 'optional' }, schema: contract.signOut },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await sessions.signOut(token);
      reply.clearCookie(SESSION_COOKIE, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: options.secureCookies,
      });
      return reply.status(204).send(null);
    },
  );
}
