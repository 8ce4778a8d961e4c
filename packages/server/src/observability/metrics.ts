import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every Prometheus metric Pulse exports, created once in the composition root. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pulse_' });
  return {
    registry,
    accepted: new Counter({
      name: 'pulse_events_accepted_total',
      help: 'Events committed to the store',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'pulse_capture_rejected_total',
      help: 'Capture requests refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    quarantined: new Counter({
      name: 'pulse_events_quarantined_total',
      help: 'Business events kept aside for breaking their schema',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'pulse_events_duplicate_total',
      help: 'Events dropped because their uuid was already stored',
      registers: [registry],
    }),
    dedupConfirmations: new Counter({
      name: 'pulse_dedup_confirmations_total',
      help: 'Uuids the dedup filter could not rule out, checked against the store: stored (a copy) or absent (a false hit)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    auditWriteFailures: new Counter({
      name: 'pulse_audit_write_failures_total',
      help: 'Audit records that could not be written since start (their accesses were refused)',
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'pulse_ingest_queue_depth',
      help: 'Events waiting for a group commit',
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'pulse_commit_duration_seconds',
      help: 'Time of one group commit',
      registers: [registry],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    webhookAccepted: new Counter({
      name: 'pulse_webhook_events_accepted_total',
      help: 'Provider webhook events verified and stored, by provider',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    webhookDuplicates: new Counter({
      name: 'pulse_webhook_events_duplicate_total',
      help: 'Provider webhook events received again (acknowledged, ignored), by provider',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    webhookRefused: new Counter({
      name: 'pulse_webhook_requests_refused_total',
      help: 'Provider webhook requests refused (forged, stale, malformed, not configured), by provider and reason',
      labelNames: ['provider', 'reason'] as const,
      registers: [registry],
    }),
    webhookFailed: new Counter({
      name: 'pulse_webhook_requests_failed_total',
      help: 'Verified provider webhook requests Pulse could not store (answered 503), by provider',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
    commitEvents: new Histogram({
      name: 'pulse_commit_batch_events',
      help: 'Events per group commit',
      registers: [registry],
      buckets: [1, 10, 100, 500, 1000, 5000, 10000, 50000],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
