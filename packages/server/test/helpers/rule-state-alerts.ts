import type { CapturedEvent } from '../../src/ingestion/captured-event.js';
import type { TestServer } from './pulse-server.js';

/* What the saved-rule-state restart tests compare: the alerts a server raises over the same events. */

export async function ingest(server: TestServer, batch: readonly CapturedEvent[]): Promise<void> {
  for (let i = 0; i < batch.length; i += 500) await server.pipeline.ingest(batch.slice(i, i + 500));
  // The committed-event stream publishes on the next turn; flush waits for the alert writes.
  await new Promise((resolve) => setImmediate(resolve));
  await server.alerts.flush();
}

interface AlertView {
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

/** Sums kept running add in another order than a rebuild's: equal up to float rounding. */
const rounded = (x: number | null) => (x === null ? null : Number(x.toPrecision(12)));

/** Every alert as the API shows it, less ids and wall-clock times. */
export async function alertsOf(server: TestServer) {
  const { body } = await server.api<{ alerts: AlertView[] }>('/api/alerts?limit=1000');
  return body.alerts
    .map((a) => ({
      rule: a.rule,
      tenantId: a.tenantId,
      key: a.key,
      state: a.state,
      title: a.title,
      summary: a.summary,
      value: rounded(a.value),
      amount: rounded(a.amount),
      count: a.count,
      lastEventAt: a.lastEventAt,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
