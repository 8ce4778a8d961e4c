import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { eventRoutes as contract } from '@pulse/api';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import type { StoredSubscription, SubscriptionStore } from '../../storage/subscription-store.js';
import { parseSubscriptionsCsv } from '../../subscriptions/import-csv.js';
import { parseSubscription } from '../../subscriptions/parse-subscription.js';
import { guard, tenantFilter } from '../auth.js';
import { listParam } from '../query-params.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const present = (s: StoredSubscription) => ({
  tenantId: s.tenantId,
  status: s.status,
  planName: s.planName,
  priceMonthly: s.priceMonthly,
  currentPeriodStart: iso(s.currentPeriodStart),
  currentPeriodEnd: iso(s.currentPeriodEnd),
  updatedAt: iso(s.updatedAt),
  displayName: s.displayName,
  suppliedBy: s.suppliedBy,
});

/** Subscriptions: list, set one, import a CSV, delete. */
export function subscriptionRoutes(app: FastifyInstance, store: SubscriptionStore): void {
  app.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/subscriptions', { schema: contract.getSubscriptions }, async (request) => ({
    subscriptions: (
      await store.list(
        tenantFilter(guard(request, 'subscriptions:read', listParam(request.query.tenant))).tenants,
      )
    ).map(present),
  }));

  api.put('/api/subscriptions/:tenant', { schema: contract.putSubscription }, async (request) => {
    guard(request, 'subscriptions:write', [request.params.tenant]);
    const body = request.body;
    // The same checks as a CSV row, whose columns keep the catalog's snake_case names.
    const subscription = parseSubscription(
      {
        tenant_id: request.params.tenant,
        status: body.status,
        plan_name: body.planName,
        price_monthly: body.priceMonthly,
        current_period_start: body.currentPeriodStart,
        current_period_end: body.currentPeriodEnd,
      },
      'body:',
      Date.now(),
    );
    await store.upsert([subscription]);
    const [stored] = await store.list([subscription.tenantId]);
    return present(stored ?? { ...subscription, suppliedBy: null, displayName: null });
  });

  api.post('/api/subscriptions/import', { schema: contract.importSubscriptions }, async (request) => {
    guard(request, 'subscriptions:write');
    const subscriptions = parseSubscriptionsCsv(
      typeof request.body === 'string' ? request.body : '',
      Date.now(),
    );
    await store.upsert(subscriptions);
    return { imported: subscriptions.length };
  });

  api.delete('/api/subscriptions/:tenant', { schema: contract.deleteSubscription }, async (request) => {
    guard(request, 'subscriptions:write', [request.params.tenant]);
    if (!(await store.remove(request.params.tenant)))
      throw new NotFoundError(`subscription of tenant ${request.params.tenant}`);
    return { deleted: request.params.tenant };
  });
}
