import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import type { Subscription, SubscriptionStore } from '../../storage/subscription-store.js';
import { parseSubscriptionsCsv } from '../../subscriptions/import-csv.js';
import { parseSubscription, type SubscriptionInput } from '../../subscriptions/parse-subscription.js';
import { guard, tenantFilter } from '../auth.js';
import { listParam } from '../query-params.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const present = (s: Subscription) => ({
  tenant_id: s.tenantId,
  status: s.status,
  plan_name: s.planName,
  price_monthly: s.priceMonthly,
  current_period_start: iso(s.currentPeriodStart),
  current_period_end: iso(s.currentPeriodEnd),
  updated_at: iso(s.updatedAt),
});

/** Subscriptions: list, set one, import a CSV, delete. */
export function subscriptionRoutes(app: FastifyInstance, store: SubscriptionStore): void {
  app.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.get<{ Querystring: { tenant?: string | string[] } }>('/api/subscriptions', async (request) => ({
    subscriptions: (
      await store.list(
        tenantFilter(guard(request, 'subscriptions:read', listParam(request.query.tenant))).tenants,
      )
    ).map(present),
  }));

  app.put<{ Params: { tenant: string }; Body: SubscriptionInput }>(
    '/api/subscriptions/:tenant',
    async (request) => {
      guard(request, 'subscriptions:write', [request.params.tenant]);
      const subscription = parseSubscription(
        { ...(request.body ?? {}), tenant_id: request.params.tenant },
        'body:',
        Date.now(),
      );
      await store.upsert([subscription]);
      return present(subscription);
    },
  );

  app.post<{ Body: string }>('/api/subscriptions/import', async (request) => {
    guard(request, 'subscriptions:write');
    const subscriptions = parseSubscriptionsCsv(
      typeof request.body === 'string' ? request.body : '',
      Date.now(),
    );
    await store.upsert(subscriptions);
    return { imported: subscriptions.length };
  });

  app.delete<{ Params: { tenant: string } }>('/api/subscriptions/:tenant', async (request) => {
    guard(request, 'subscriptions:write', [request.params.tenant]);
    if (!(await store.remove(request.params.tenant)))
      throw new NotFoundError(`subscription of tenant ${request.params.tenant}`);
    return { deleted: request.params.tenant };
  });
}
