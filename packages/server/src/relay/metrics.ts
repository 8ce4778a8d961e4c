import { Counter, Gauge, type Registry } from 'prom-client';

/** The relay's lag and outcomes, as Prometheus metrics; the lag gauges read the relay when scraped. */
export function relayMetrics(registry: Registry, lag: () => { events: number; seconds: number }) {
  return {
    lagEvents: new Gauge({
      name: 'pulse_relay_lag_events',
      help: 'Events in the ingest log the relay to PostHog has not passed yet',
      registers: [registry],
      collect() {
        this.set(lag().events);
      },
    }),
    lagSeconds: new Gauge({
      name: 'pulse_relay_lag_seconds',
      help: 'Age of the oldest event the relay to PostHog has not delivered yet (0 when caught up)',
      registers: [registry],
      collect() {
        this.set(lag().seconds);
      },
    }),
    sent: new Counter({
      name: 'pulse_relay_sent_events_total',
      help: 'Events PostHog acknowledged',
      registers: [registry],
    }),
    failedAttempts: new Counter({
      name: 'pulse_relay_failed_attempts_total',
      help: 'Relay requests that failed and are retried (network error, timeout, 408, 429, 5xx)',
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'pulse_relay_dead_lettered_events_total',
      help: 'Events PostHog refused (4xx), kept as dead letters to retry',
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'pulse_relay_dropped_events_total',
      help: 'Events the relay skipped because its backlog passed PULSE_POSTHOG_RELAY_MAX_BACKLOG_MB',
      registers: [registry],
    }),
  };
}

export type RelayMetrics = ReturnType<typeof relayMetrics>;
