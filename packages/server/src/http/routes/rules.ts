import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ruleRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import type { AlertEngine } from '../../alerts/engine.js';
import type { Rule } from '../../alerts/rule-model.js';
import { NotFoundError } from '../../errors.js';
import { isoOrNull, iso } from '../../alerts/format.js';
import { guard } from '../auth.js';
import { timeParam } from '../query-params.js';

export interface RuleRouteDeps {
  rules: Pick<
    AlertEngine,
    'rules' | 'replaceRules' | 'putRule' | 'deleteRule' | 'resetRules' | 'previewRule' | 'rebuildFailures'
  >;
}

/** Alert rules as data: read, replace the set, set or delete one, back to the defaults. */
export function ruleRoutes(app: FastifyInstance, { rules }: RuleRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const withFailures = (list: readonly Rule[]) => ({
    rules: list,
    rebuildFailures: rules.rebuildFailures().map((f) => ({ ...f, at: iso(f.at) })),
  });
  api.get('/api/rules', { schema: contract.listRules }, async (request) => {
    guard(request, 'rules:read');
    return withFailures(rules.rules());
  });

  api.put('/api/rules', { schema: contract.replaceRules }, async (request) => {
    guard(request, 'rules:write');
    return withFailures(await rules.replaceRules(request.body));
  });

  api.post('/api/rules/reset', { schema: contract.resetRules }, async (request) => {
    guard(request, 'rules:write');
    return withFailures(await rules.resetRules());
  });

  api.post('/api/rules/preview', { schema: contract.previewRule }, async (request) => {
    const { rule, ruleId, from, to, tenants } = request.body;
    const scope = guard(request, 'rules:read', tenants);
    const result = await rules.previewRule({
      ...(rule === undefined ? {} : { rule }),
      ...(ruleId === undefined ? {} : { ruleId }),
      from: timeParam('from', from) as number,
      to: timeParam('to', to) as number,
      ...(scope === 'all' ? {} : { tenants: scope }),
    });
    return {
      ...result,
      from: iso(result.from),
      to: iso(result.to),
      evaluatedTo: isoOrNull(result.evaluatedTo),
      firings: result.firings.map((f) => ({ ...f, at: iso(f.at) })),
    };
  });

  api.get('/api/rules/:id', { schema: contract.getRule }, async (request) => {
    guard(request, 'rules:read');
    const rule = rules.rules().find((r) => r.id === request.params.id);
    if (!rule) throw new NotFoundError(`rule ${request.params.id}`);
    return rule;
  });

  api.put('/api/rules/:id', { schema: contract.putRule }, async (request) => {
    guard(request, 'rules:write');
    return rules.putRule(request.params.id, request.body);
  });

  api.delete('/api/rules/:id', { schema: contract.deleteRule }, async (request) => {
    guard(request, 'rules:write');
    await rules.deleteRule(request.params.id);
    return { deleted: request.params.id };
  });
}
