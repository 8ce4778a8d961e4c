import type { FastifyInstance } from 'fastify';
import type { AlertEngine } from '../../alerts/engine.js';
import { NotFoundError } from '../../errors.js';
import { guard } from '../auth.js';

export interface RuleRouteDeps {
  rules: Pick<AlertEngine, 'rules' | 'replaceRules' | 'putRule' | 'deleteRule' | 'resetRules'>;
}

/** Alert rules as data: read, replace the set, set or delete one, back to the defaults. */
export function ruleRoutes(app: FastifyInstance, { rules }: RuleRouteDeps): void {
  app.get('/api/rules', async (request) => {
    guard(request, 'rules:read');
    return { rules: rules.rules() };
  });

  app.put<{ Body: unknown }>('/api/rules', async (request) => {
    guard(request, 'rules:write');
    return { rules: await rules.replaceRules(request.body) };
  });

  app.post('/api/rules/reset', async (request) => {
    guard(request, 'rules:write');
    return { rules: await rules.resetRules() };
  });

  app.get<{ Params: { id: string } }>('/api/rules/:id', async (request) => {
    guard(request, 'rules:read');
    const rule = rules.rules().find((r) => r.id === request.params.id);
    if (!rule) throw new NotFoundError(`rule ${request.params.id}`);
    return rule;
  });

  app.put<{ Params: { id: string }; Body: unknown }>('/api/rules/:id', async (request) => {
    guard(request, 'rules:write');
    return rules.putRule(request.params.id, request.body);
  });

  app.delete<{ Params: { id: string } }>('/api/rules/:id', async (request) => {
    guard(request, 'rules:write');
    await rules.deleteRule(request.params.id);
    return { deleted: request.params.id };
  });
}
