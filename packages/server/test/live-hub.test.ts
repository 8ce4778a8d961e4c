import { describe, expect, it, vi } from 'vitest';
import { DashboardStream } from '../src/alerts/channels/dashboard.js';
import type { AlertView } from '../src/alerts/types.js';
import { apiAlertOf } from '../src/alerts/present.js';
import { EventStream } from '../src/ingestion/event-stream.js';
import { createLiveConnection } from '../src/live/live-connection.js';
import { createLiveHub, type LiveMessage } from '../src/live/live-hub.js';
import type { StoredEvent } from '../src/storage/event-store.js';

// The live hub without a server: batching of committed events, scope filtering, and the per-connection seq.

const stored = (
  tenantId: string | null,
  event: string,
  properties: Record<string, unknown>,
): StoredEvent => ({
  uuid: crypto.randomUUID(),
  event,
  distinctId: 'd',
  timestamp: Date.now(),
  properties,
  tenantId,
  ingestedAt: Date.now(),
});

const alert = (tenant: string): AlertView =>
  ({ id: `a-${tenant}`, tenant_id: tenant, severity: 'critical', state: 'open' }) as AlertView;

describe('live hub', () => {
  it('batches committed events per tenant and type within the window, with the summary money sums', () => {
    vi.useFakeTimers();
    try {
      const events = new EventStream(() => undefined);
      const hub = createLiveHub({ events, dashboard: new DashboardStream(), flushMs: 250 });
      const seen: LiveMessage[] = [];
      hub.subscribe({ canSee: () => true, send: (m) => seen.push(m) });
      events.publish({
        committedAt: 0,
        events: [
          stored('a', 'revenue_impact_event', { impact_type: 'negative', impact_amount: 10 }),
          stored('a', 'revenue_impact_event', { impact_type: 'positive', impact_amount: 5 }),
          stored(null, '$pageview', {}),
        ],
      });
      events.publish({
        committedAt: 1,
        events: [
          stored('b', 'cost_optimization_event', { optimization_type: 'implemented', savings_amount: 7 }),
          stored('b', 'cost_optimization_event', { optimization_type: 'identified', savings_amount: 3 }),
        ],
      });
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(250);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        type: 'events.delta',
        tenants: {
          a: { revenue_impact_event: { count: 2, negativeRevenueImpact: 10, positiveRevenueImpact: 5 } },
          b: { cost_optimization_event: { count: 2, realizedSavings: 7, projectedSavings: 3 } },
        },
      });
      vi.advanceTimersByTime(10_000);
      expect(seen).toHaveLength(1); // nothing ticks when nothing happens
      hub.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('filters deltas and alerts by scope, and skips subscribers that see nothing of a batch', () => {
    vi.useFakeTimers();
    try {
      const events = new EventStream(() => undefined);
      const dashboard = new DashboardStream();
      const hub = createLiveHub({ events, dashboard, flushMs: 10 });
      const onlyA: LiveMessage[] = [];
      hub.subscribe({ canSee: (t) => t === 'a', send: (m) => onlyA.push(m) });
      events.publish({ committedAt: 0, events: [stored('b', 'revenue_impact_event', {})] });
      dashboard.publish({ type: 'alert.updated', alert: alert('b') });
      vi.advanceTimersByTime(10);
      expect(onlyA).toEqual([]);
      events.publish({ committedAt: 0, events: [stored('a', 'x', {}), stored('b', 'x', {})] });
      dashboard.publish({ type: 'alert.updated', alert: alert('a') });
      vi.advanceTimersByTime(10);
      expect(onlyA.map((m) => m.type)).toEqual(['alert.updated', 'events.delta']);
      expect(JSON.stringify(onlyA)).not.toContain('"b"');
      hub.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stamps a strictly increasing seq per connection and closes a socket that falls too far behind', () => {
    const sent: string[] = [];
    let buffered = 0;
    const close = vi.fn();
    const connection = createLiveConnection({
      get bufferedAmount() {
        return buffered;
      },
      send: (data) => sent.push(data),
      close,
    });
    connection.hello({ boot: 'b' });
    connection.send({ type: 'alert.updated', alert: apiAlertOf(alert('a')) });
    expect(sent.map((s) => (JSON.parse(s) as { seq: number }).seq)).toEqual([1, 2]);
    buffered = 10 * 1024 * 1024;
    connection.send({ type: 'alert.updated', alert: apiAlertOf(alert('a')) });
    expect(close).toHaveBeenCalledWith(1013, expect.any(String));
    expect(sent).toHaveLength(2);
  });
});
