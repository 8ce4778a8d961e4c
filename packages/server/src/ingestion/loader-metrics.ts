import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The loader's lag, throughput and failures, as Prometheus metrics. */
export function loaderMetrics(registry: Registry) {
  return {
    lagEvents: new Gauge({
      name: 'pulse_ingest_log_lag_events',
      help: 'Events acknowledged (in the ingest log) but not yet loaded into the store',
      registers: [registry],
    }),
    lagBytes: new Gauge({
      name: 'pulse_ingest_log_lag_bytes',
      help: 'Ingest-log bytes not yet loaded into the store',
      registers: [registry],
    }),
    loadedRows: new Counter({
      name: 'pulse_ingest_loaded_rows_total',
      help: 'Rows the loader moved from the ingest log into the store',
      registers: [registry],
    }),
    loadSeconds: new Histogram({
      name: 'pulse_ingest_load_duration_seconds',
      help: 'Time of one bulk load from the ingest log',
      registers: [registry],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    readWaitSeconds: new Histogram({
      name: 'pulse_read_barrier_wait_seconds',
      help: 'Time a read waited for the loader to reach what was acknowledged before it (0 when already loaded)',
      registers: [registry],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    loadErrors: new Counter({
      name: 'pulse_ingest_load_errors_total',
      help: 'Bulk loads the store refused (then isolated or retried)',
      registers: [registry],
    }),
  };
}
