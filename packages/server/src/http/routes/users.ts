import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { auditDetail } from '../../access/audit-requests.js';
import { parseCreateUser, parseUpdateUser, type Users } from '../../access/users.js';
import { guard } from '../auth.js';

/** Dashboard users: admins create, list, change (role, tenants, password, disable) and remove them. */
export function userRoutes(app: FastifyInstance, users: Users): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/api/users', { schema: contract.createUser }, async (request, reply) => {
    guard(request, 'users:manage');
    const input = parseCreateUser(request.body);
    auditDetail(request, { email: input.email, role: input.role, tenants: input.tenants ?? 'all' });
    const user = await users.create(request.actor, input);
    auditDetail(request, { user_id: user.id });
    return reply.status(201).send(user);
  });

  api.get('/api/users', { schema: contract.listUsers }, async (request) => {
    guard(request, 'users:manage');
    return { users: await users.list() };
  });

  api.get('/api/users/:id', { schema: contract.getUser }, async (request) => {
    guard(request, 'users:manage');
    return users.get(request.params.id);
  });

  api.patch('/api/users/:id', { schema: contract.updateUser }, async (request) => {
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

  api.delete('/api/users/:id', { schema: contract.deleteUser }, async (request, reply) => {
    guard(request, 'users:manage');
    auditDetail(request, { user_id: request.params.id });
    await users.remove(request.params.id);
    return reply.status(204).send(null);
  });
}
