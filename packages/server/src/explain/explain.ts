import type { ExplainEventPage, Explanation } from '@pulse/api';
import type { Analytics } from '../analytics/analytics.js';
import { explainedMetrics, type MetricId } from '../analytics/explained-metrics.js';
import type { SummaryScope, TimeWindow } from '../analytics/summary-types.js';
import type { EventStore } from '../storage/event-store.js';

export interface ExplainDeps {
  analytics: Pick<Analytics, 'summarize'>;
  events: Pick<EventStore, 'listContributions'>;
}

/** What to explain: the number, the caller's scope, the window, and the tenants as the caller asked them. */
export interface ExplainRequest {
  metric: MetricId;
  scope: SummaryScope;
  window: TimeWindow;
  /** The tenant parameter as sent (repeated in the events link), undefined when the caller asked for all. */
  askedTenants?: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoWindow = (w: TimeWindow) => ({ from: iso(w.from), to: iso(w.to) });

/** The query string that reopens this explanation (and its events). */
export function explainQuery(request: ExplainRequest): string {
  const query = new URLSearchParams({ metric: request.metric });
  if (request.askedTenants?.length) query.set('tenant', request.askedTenants.join(','));
  query.set('from', iso(request.window.from));
  query.set('to', iso(request.window.to));
  return query.toString();
}

/** The explanation of one number, read from the same summary the dashboard shows. */
export async function explainMetric(deps: ExplainDeps, request: ExplainRequest): Promise<Explanation> {
  const definition = explainedMetrics[request.metric];
  const summary = await deps.analytics.summarize(request.scope, request.window);
  return {
    metric: request.metric,
    label: definition.label,
    unit: definition.unit,
    value: definition.value(summary),
    formula: definition.formula,
    window: isoWindow(request.window),
    inputs: definition.inputs(summary),
    eventsQuery: definition.events && {
      href: `/api/explain/events?${explainQuery(request)}`,
      combine: definition.events.combine,
      yields: definition.events.yields,
    },
  };
}

/** One page of the events behind a number; a number made only of other numbers has none. */
export async function explainEvents(
  deps: ExplainDeps,
  request: ExplainRequest,
  page: { limit: number; cursor?: string },
): Promise<ExplainEventPage> {
  const definition = explainedMetrics[request.metric];
  const head = { metric: request.metric, window: isoWindow(request.window) };
  if (!definition.events)
    return { ...head, combine: 'sum', yields: 'nothing: see the inputs', events: [], nextCursor: null };
  const { rule, combine, yields, keyProperties } = definition.events;
  const { tenants } = request.scope;
  const result = await deps.events.listContributions({
    rule,
    ...(tenants === 'all' ? {} : { tenants }),
    from: request.window.from,
    to: request.window.to,
    limit: page.limit,
    ...(page.cursor ? { cursor: page.cursor } : {}),
  });
  return {
    ...head,
    combine,
    yields,
    events: result.contributions.map(({ event, amount }) => ({
      uuid: event.uuid,
      event: event.event,
      tenantId: event.tenantId ?? '',
      timestamp: iso(event.timestamp),
      amount,
      properties: Object.fromEntries(
        keyProperties.flatMap((p) => (p in event.properties ? [[p, event.properties[p]]] : [])),
      ),
    })),
    nextCursor: result.nextCursor,
  };
}
