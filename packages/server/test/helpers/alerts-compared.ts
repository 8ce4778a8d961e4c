import type { CapturedEvent } from '../../src/ingestion/captured-event.js';
import type { TestServer } from './pulse-server.js';

/** An alert as `GET /api/alerts` lists it, the fields two runs over the same events must agree on. */
export interface AlertView {
  rule: string;
  tenantId: string;
  key: Record<string, string>;
  state: string;
  title: string;
  summary: string;
  value: number | null;
  amount: number | null;
  count: number;
  lastEventAt: string | null;
}

/** Ingests `events` in chunks and waits until the alerts they raise are written. */
export async function ingestAndSettle(server: TestServer, events: readonly CapturedEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) await server.pipeline.ingest(events.slice(i, i + 500));
  // The committed-event stream publishes on the next turn; flush waits for the alert writes.
  await new Promise((resolve) => setImmediate(resolve));
  await server.alerts.flush();
}

/** Alerts less ids and wall-clock times, in one order; `number` rounds what may differ by float rounding. */
export function comparable(alerts: readonly AlertView[], number = (x: number | null) => x) {
  return alerts
    .map((a) => ({
      rule: a.rule,
      tenantId: a.tenantId,
      key: a.key,
      state: a.state,
      title: a.title,
      summary: a.summary,
      value: number(a.value),
      amount: number(a.amount),
      count: a.count,
      lastEventAt: a.lastEventAt,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Sums kept running add in another order than a rebuild's: equal up to float rounding. */
const rounded = (x: number | null) => (x === null ? null : Number(x.toPrecision(12)));

/** Every alert of a server, comparable with another's that saw the same events up to float rounding. */
export async function everyAlert(server: TestServer) {
  const { body } = await server.api<{ alerts: AlertView[] }>('/api/alerts?limit=1000');
  return comparable(body.alerts, rounded);
}
