import type { Logger } from 'pino';
import type { AlertEngine } from '../alerts/index.js';
import { loadEvents } from '../ingestion/load-events.js';
import type { IngestPipeline } from '../ingestion/pipeline.js';
import type { Storage } from '../storage/storage.js';
import { DEMO_DATA_SET, describeTenants, generateEvents } from './index.js';

/** The demo data set of `pulse serve --demo`: a few tenants, 90 days, one planted incident per story. */
export async function loadDemo(
  pipeline: IngestPipeline,
  storage: Storage,
  alerts: Pick<AlertEngine, 'setBudgets'>,
  logger: Logger,
): Promise<void> {
  if ((await storage.events.countEvents()) > 0) return;
  const started = Date.now();
  const options = DEMO_DATA_SET;
  // Budgets first, so the cost-overrun story raises its run-rate alert as its events arrive.
  for (const t of describeTenants(options)) await alerts.setBudgets(t.id, { monthlyUsd: t.monthlyBudget });
  const { loaded } = await loadEvents(pipeline, generateEvents(options));
  // Their subscriptions too, so the performance-dashboard report has rows from the start.
  const now = new Date();
  await storage.subscriptions.upsert(
    describeTenants(options).map((t) => ({
      tenantId: t.id,
      status: 'active' as const,
      planName: t.plan,
      priceMonthly: t.priceMonthly,
      currentPeriodStart: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
      currentPeriodEnd: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
      updatedAt: now.getTime(),
    })),
  );
  logger.info({ events: loaded, ms: Date.now() - started }, 'loaded the demo data set');
}
