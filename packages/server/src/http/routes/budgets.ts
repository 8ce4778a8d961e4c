import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { budgetRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { budgetViews } from '../../alerts/budgets.js';
import type { AlertEngine } from '../../alerts/engine.js';
import { inScope } from '../../access/rbac.js';
import { NotFoundError } from '../../errors.js';
import { guard } from '../auth.js';

export interface BudgetRouteDeps {
  budgets: Pick<AlertEngine, 'budgets' | 'setBudgets' | 'deleteBudgets'>;
}

/** Monthly USD budgets per tenant and per resource_type, for the cost run-rate alert. */
export function budgetRoutes(app: FastifyInstance, { budgets }: BudgetRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/budgets', { schema: contract.listBudgets }, async (request) => {
    const scope = guard(request, 'budgets:read');
    return { budgets: budgetViews((await budgets.budgets()).filter((b) => inScope(scope, b.tenantId))) };
  });

  api.get('/api/budgets/:tenant', { schema: contract.getBudget }, async (request) => {
    guard(request, 'budgets:read', [request.params.tenant]);
    const view = budgetViews(await budgets.budgets()).find((b) => b.tenantId === request.params.tenant);
    if (!view) throw new NotFoundError(`budget of tenant ${request.params.tenant}`);
    return view;
  });

  api.put('/api/budgets/:tenant', { schema: contract.putBudget }, async (request) => {
    const tenant = request.params.tenant;
    guard(request, 'budgets:write', [tenant]);
    const next = await budgets.setBudgets(tenant, request.body);
    return budgetViews(next)[0] ?? { tenantId: tenant, monthlyUsd: null, resourceTypes: {}, updatedAt: null };
  });

  api.delete('/api/budgets/:tenant', { schema: contract.deleteBudget }, async (request) => {
    guard(request, 'budgets:write', [request.params.tenant]);
    if (!(await budgets.deleteBudgets(request.params.tenant)))
      throw new NotFoundError(`budget of tenant ${request.params.tenant}`);
    return { deleted: request.params.tenant };
  });
}
