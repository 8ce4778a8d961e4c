import type { FastifyInstance } from 'fastify';
import { auditDetail } from '../../access/audit-requests.js';
import { parseCreateUser, parseUpdateUser, type Users } from '../../access/users.js';
import { guard } from '../auth.js';

/** Dashboard users: admins create, list, change (role, tenants, password, disable) and remove them. */
export function userRoutes(app: FastifyInstance, users: Users): void {
  app.post<{ Body: unknown }>('/api/users', async (request, reply) => {
    guard(request, 'users:manage');
    const input = parseCreateUser(request.body);
    auditDetail(request, { email: input.email, role: input.role, tenants: input.tenants ?? 'all' });
    const user = await users.create(request.actor, input);
    auditDetail(request, { user_id: user.id });
    return reply.status(201).send(user);
  });

  app.get('/api/users', async (request) => {
    guard(request, 'users:manage');
    return { users: await users.list() };
  });

  app.get<{ Params: { id: string } }>('/api/users/:id', async (request) => {
    guard(request, 'users:manage');
    return users.get(request.params.id);
  });

  app.patch<{ Params: { id: string }; Body: unknown }>('/api/users/:id', async (request) => {
    guard(request, 'users:manage');
    const input = parseUpdateUser(request.body);
    const { password, ...visible } = input;
    auditDetail(request, {
      user_id: request.params.id,
      ...visible,
      ...(password ? { password_changed: true } : {}),
    });
    return users.update(request.actor, request.params.id, input);
  });

  app.delete<{ Params: { id: string } }>('/api/users/:id', async (request, reply) => {
    guard(request, 'users:manage');
    auditDetail(request, { user_id: request.params.id });
    await users.remove(request.params.id);
    return reply.status(204).send();
  });
}
