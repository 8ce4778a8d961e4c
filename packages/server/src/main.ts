import type { RouteOptions } from 'fastify';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createLogger } from './observability/logger.js';
import { loadOrCreateAdminKey } from './access/admin-key.js';
import { ensureDemoUser } from './access/demo-user.js';
import { createAnalytics } from './analytics/analytics.js';
import { ROLLUP_SNAPSHOT_FILE } from './analytics/rollup-snapshot.js';
import { RULE_STATE_FILE } from './alerts/rule-state-file.js';
import { alertSettingsFrom, createAlertSystem, type AlertEngine } from './alerts/index.js';
import type { FullConfig } from './config/index.js';
import { buildApp } from './http/app.js';
import { DEDUP_INDEX_FILE } from './ingestion/dedup-snapshot.js';
import { EventStream } from './ingestion/event-stream.js';
import { IngestPipeline } from './ingestion/pipeline.js';
import { LogLoader } from './ingestion/log-loader.js';
import type { LogWrites } from './ingestion/log-writer.js';
import {
  alertStoreBehindBarrier,
  analyticsReadsBehindBarrier,
  eventStoreBehindBarrier,
  insightReadsBehindBarrier,
  queryRunnerBehindBarrier,
  forecastSeriesBehindBarrier,
} from './ingestion/read-barrier.js';
import { createMetrics } from './observability/metrics.js';
import { loadDemo } from './seed/load-demo.js';
import { readTls } from './http/tls.js';
import type { EventStore } from './storage/event-store.js';
import type { AuditLog } from './storage/audit-log.js';
import { auditTrail, type AuditTrail } from './access/audit-trail.js';
import { startRetention } from './retention/index.js';
import { openStorage, type OpenedStorage } from './storage/open-storage.js';
import { systemClock, type Clock } from './clock.js';
import { startWebhooks } from './webhooks/index.js';
import { SourceStatusBoard } from './integrations/source-status.js';
import { removeServerFile, writeServerFile } from './server-file.js';
import { CaptureTally } from './insights/impact-capture-tally.js';
import { startInfra } from './infra/index.js';
import { startSync } from './sync/index.js';
import { relayEnabled, RelayCursor, startRelay } from './relay/index.js';
import type { ReportSchedules } from './report-schedules/index.js';
import { startReportSchedules } from './report-schedules/start.js';
import { startCluster } from './cluster/index.js';
import { withKnownTenants } from './tenants/known-tenants.js';
import { sharedDeletions } from './retention/shared-deletions.js';

export interface RunningServer {
  url: string;
  adminKey: string;
  pipeline: IngestPipeline;
  stream: EventStream;
  store: EventStore;
  storage: OpenedStorage & { audit: AuditTrail };
  alerts: AlertEngine;
  reportSchedules: ReportSchedules;
  /** Every HTTP route with its schema (what the OpenAPI document is generated from). */
  routes: readonly RouteOptions[];
  close: () => Promise<void>;
}

/** Parts a test can replace at the process's edge (never our own modules). */
export interface Edges {
  /** The ingest log's file boundary: write + fdatasync. */
  logWriter?: LogWrites;
  /** When sessions and API keys expire (a test's manual clock). */
  clock?: Clock;
  /** Composes a wrapper around the store's audit log (e.g. one whose writes fail). */
  wrapAuditLog?: (log: AuditLog) => AuditLog;
}

/** Store, metrics, stream and pipeline, warmed up: what serving and direct loading share. */
export async function openPipeline(
  config: FullConfig,
  logger: Logger = createLogger(config),
  edges: Edges = {},
) {
  const storage = await openStorage(config, logger);
  const store = storage.events;
  const metrics = createMetrics();
  const stream = new EventStream((error) => logger.error({ err: error }, 'event stream listener failed'));
  // Log-first ingest (ADR 0002): acknowledged once in the fsynced ingest log; its unloaded tail is loaded here.
  const logStarted = Date.now();
  // The relay's position keeps the log segments it has not forwarded yet (a first start: from the store's).
  const relayCursor = relayEnabled(config)
    ? RelayCursor.open(join(config.dataDir, 'relay'), await storage.logSink.loadedPosition())
    : null;
  // PULSE_INGEST_LOG=false still replays (and so empties) a log left by an earlier run, then closes it.
  const { loader, replayed } = await LogLoader.open({
    dir: join(config.dataDir, 'ingest-log'),
    cipher: storage.recordCipher,
    sink: storage.logSink,
    registry: metrics.registry,
    intervalMs: config.ingestLoadIntervalMs,
    batchRows: config.ingestLoadRows,
    maxBacklogRows: config.ingestBacklogMax,
    onQuarantined: (entry) => metrics.quarantined.inc({ event: entry.event.event }),
    onError: (error) => logger.error({ err: error }, 'loading the ingest log failed; retrying'),
    ...(edges.logWriter ? { writer: edges.logWriter } : {}),
    ...(relayCursor ? { retainFrom: () => relayCursor.value.position } : {}),
  });
  logger.info({ events: replayed, ms: Date.now() - logStarted }, 'ingest log replayed');
  if (!config.ingestLog) await loader.close();
  const pipeline = new IngestPipeline({
    store,
    stream,
    metrics,
    queueMax: config.ingestQueueMax,
    commitIntervalMs: config.commitIntervalMs,
    ...(config.ingestLog ? { loader } : {}),
    dedupIndex: {
      path: join(config.dataDir, DEDUP_INDEX_FILE),
      saveEveryMs: 5 * 60_000,
      onSaveError: (error) => logger.warn({ err: error }, 'saving the dedup index failed; retrying later'),
    },
    dedupFilterBytes: config.dedupFilterMb * 1024 * 1024,
  });
  const started = Date.now();
  const warm = await pipeline.warmUp();
  logger.info({ ...warm, ms: Date.now() - started }, 'dedup index loaded');
  const close = async () => {
    await pipeline.drain();
    if (config.ingestLog) await loader.close();
    await pipeline.saveDedupIndex();
    storage.logSink.close();
    await storage.audit.flush();
    await storage.alerts.close();
    await store.close();
    await storage.closeState();
  };
  return { storage, store, metrics, stream, pipeline, close, loader, relayCursor };
}

/** The composition root: config → store → pipeline → HTTP. Used by `pulse serve` and by tests. */
export async function startServer(
  config: FullConfig,
  logger: Logger = createLogger(config),
  edges: Edges = {},
): Promise<RunningServer> {
  const {
    storage: stored,
    store,
    metrics,
    stream,
    pipeline,
    close,
    loader,
    relayCursor,
  } = await openPipeline(config, logger, edges);
  // The start's scans (alert rules' state, rollups) run on every core; serving uses the configured threads.
  await stored.setEngineThreads?.(Math.max(config.duckdbThreads, availableParallelism()));
  // Reads that must see acknowledged events wait for the ingest-log loader (the read barrier, ADR 0002).
  const barrier = () => pipeline.barrier(config.readBarrierTimeoutMs);
  // Remembered tenants answer before the barrier: a tenant seen with events keeps them until a deletion.
  const knownEvents = withKnownTenants(eventStoreBehindBarrier(stored.events, barrier));
  const storage = {
    ...stored,
    // Fails closed: a failed write is counted (verify, /metrics) and refuses the access it was for.
    audit: auditTrail(edges.wrapAuditLog?.(stored.audit) ?? stored.audit, () =>
      metrics.auditWriteFailures.inc(),
    ),
    events: knownEvents,
    queries: queryRunnerBehindBarrier(stored.queries, barrier),
    insights: insightReadsBehindBarrier(stored.insights, barrier),
    analyticsReads: analyticsReadsBehindBarrier(stored.analyticsReads, barrier),
    forecastSeries: forecastSeriesBehindBarrier(stored.forecastSeries, barrier),
    alerts: alertStoreBehindBarrier(stored.alerts, barrier),
  };
  // Before the demo load, so the demo's events are evaluated too.
  const alertSettings = alertSettingsFrom(config);
  const alerts = createAlertSystem({
    store: storage.alerts,
    settings: alertSettings,
    logger,
    clock: (edges.clock ?? systemClock).now,
    ruleState: { path: join(config.dataDir, RULE_STATE_FILE), cipher: stored.alertRuleStateCipher },
    // Shared state: whether this process or another notifies is decided in the shared store, so notifications
    // wait for it; a local journal in front would announce alerts another process already holds open.
    ...(config.stateUrl
      ? {}
      : { journal: { dir: join(config.dataDir, 'alert-journal'), cipher: stored.alertJournalCipher } }),
  });
  const alertsStarted = Date.now();
  const ruleState = await alerts.engine.start(stream);
  logger.info({ ms: Date.now() - alertsStarted, ...ruleState }, 'alert engine started');
  // Every alert transition joins the audit trail, once the transition itself is committed.
  alerts.engine.onTransition((transition, alert) => {
    storage.audit
      .append({
        at: transition.at,
        actor: {
          // The engine keeps the actor's id: 'pulse', a user (u_…, acting from the dashboard) or an API key.
          kind:
            transition.actor === 'pulse' ? 'system' : transition.actor.startsWith('u_') ? 'user' : 'api_key',
          id: transition.actor,
          role: null,
        },
        action: `alert.${transition.kind}`,
        scope: [alert.tenantId],
        detail: {
          alert: alert.id,
          rule: alert.ruleId,
          severity: alert.severity,
          comment: transition.comment,
        },
        result: 'ok',
        requestId: null,
      })
      .catch((error: unknown) => logger.error({ err: error }, 'audit of an alert transition failed'));
  });
  if (config.demo) {
    await loadDemo(pipeline, storage, alerts.engine, logger);
    const login = await ensureDemoUser(storage.users, config.dataDir);
    if (login)
      logger.warn(
        { email: login.email, password: login.password, file: login.file },
        'demo: sign in to the dashboard with this email and password',
      );
  }
  const analytics = createAnalytics({
    reads: storage.analyticsReads,
    stream,
    snapshot: {
      path: join(config.dataDir, ROLLUP_SNAPSHOT_FILE),
      cipher: storage.summaryRollupsCipher,
      onSaveError: (error) => logger.warn({ err: error }, 'saving the summary rollups failed'),
    },
    // The summary's alerts (compose-summary.ts picks the open critical ones of the scope), from the alert
    // engine's memory: a store query here cost every summary request 2-4 ms.
    criticalAlerts: async () =>
      alerts.engine.activeAlerts().map((alert) => ({
        id: alert.id,
        rule: alert.ruleId,
        severity: alert.severity,
        tenantId: alert.tenantId,
        state: alert.state,
        eventIds: alert.eventUuids,
        firstSeen: alert.firstSeen,
        lastSeen: alert.lastSeen,
        count: alert.count,
        message: alert.title,
      })),
  });
  // Processes sharing a PostgreSQL state act as one (docs/scale-out.md): before the rollups are built, so
  // other processes' events committed meanwhile are replayed onto them.
  const cluster = config.stateUrl
    ? await startCluster({
        link: await (await import('./storage/postgres/pg-cluster.js')).openPgCluster(config.stateUrl),
        stream,
        registry: metrics.registry,
        logger,
      })
    : null;
  // The scheduled work that must run once runs on the leader (alone: here).
  const runsHere = () => cluster?.leadership.isLeader() ?? true;
  const rollupsStarted = Date.now();
  await analytics.ready();
  logger.info({ ms: Date.now() - rollupsStarted }, 'summary rollups built');
  await stored.setEngineThreads?.(config.duckdbThreads);
  // DuckDB keeps the start's scanned blocks cached up to its memory_limit; serving does not need them.
  const released = await stored.releaseEngineMemory?.();
  if (released) logger.info(released, 'cached engine memory released');
  // Policies (seeded from PULSE_RETENTION when none are stored) and the PULSE_RETENTION_CRON job.
  // A deletion anywhere makes what was built from the events stale in every process.
  const deletions = sharedDeletions(async () => {
    knownEvents.forgetKnownTenants();
    await analytics.refreshAfterDeletion();
  });
  const retention = await startRetention({
    storage,
    afterDeletion: deletions.deleted,
    config,
    logger,
    runsHere,
  });

  const clock = edges.clock ?? systemClock;
  // Provider webhooks: open email windows left by an earlier run are reported first if their slot ended.
  const webhooks = await startWebhooks({
    config,
    store: storage.webhooks,
    subscriptions: storage.subscriptions,
    pipeline,
    metrics,
    clock,
    logger,
    runsHere,
  });

  // What capture received and what became of it, per day, kept across restarts (the capture success rate).
  const captureTally = new CaptureTally(storage.captureCounts, (error) =>
    logger.error({ err: error }, 'storing capture counts failed; retrying'),
  );
  const reportSchedules = await startReportSchedules({
    config,
    storage,
    analytics,
    alerts: alerts.engine,
    settings: alertSettings,
    clock: clock.now,
    logger,
    flushCaptureCounts: () => captureTally.flush(),
  });
  // What another process changes (rules, alerts, silences, budgets, schedules) is reloaded here.
  cluster?.followState([
    alerts.engine.shared,
    reportSchedules.shared,
    webhooks.tenants.shared,
    deletions.owner,
  ]);

  // Relay, scrape targets, VPS providers and database views report here, beside the webhooks.
  const sources = new SourceStatusBoard();
  // Database views into subscriptions and tenant names; each run is audited as a system actor.
  const sync = startSync({
    sources: config.syncSources,
    store: storage.sync,
    audit: storage.audit,
    board: sources,
    logger,
    runsHere,
  });
  const relay = startRelay({
    config,
    cursor: relayCursor,
    logDir: join(config.dataDir, 'ingest-log'),
    cipher: stored.recordCipher,
    logEnd: () => loader.position,
    decode: (row) => stored.logSink.decode(row),
    stream,
    deadLetters: stored.relayDeadLetters,
    sources,
    registry: metrics.registry,
    logger,
  });

  const admin = loadOrCreateAdminKey(config.dataDir, config.adminKey);
  if (admin.generated)
    logger.warn(
      { file: admin.generated },
      'generated an admin API key for the JSON API and the CLI; it is kept in this file (mode 0600)',
    );
  if (!config.projectTokens.length)
    logger.warn('PULSE_PROJECT_TOKEN is not set: capture accepts any well-formed project token');

  captureTally.start();

  let ready = true;
  const app = buildApp({
    logger,
    storage,
    analytics,
    alerts: alerts.engine,
    publicUrl: config.publicUrl ?? null,
    pipeline,
    metrics,
    projectTokens: config.projectTokens,
    adminKey: admin.key,
    isReady: () => ready,
    ...(cluster ? { cluster: cluster.view } : {}),
    retention: { retention: retention.retention, schedule: retention.schedule },
    tls: readTls(config),
    cookieSecure: config.cookieSecure,
    sessions: { idleMs: config.sessionIdleMinutes * 60_000, maxMs: config.sessionMaxHours * 3_600_000 },
    live: { events: stream, dashboard: alerts.dashboard },
    query: {
      timeoutMs: config.queryTimeoutMs,
      maxRows: config.queryMaxRows,
      maxBytes: config.queryMaxBytes,
      concurrency: config.queryConcurrency,
    },
    clock,
    webhooks,
    sources,
    captureTally,
    sync,
    relay,
    reportSchedules,
  });
  const url = await app.listen({ host: config.host, port: config.port });
  writeServerFile(config.dataDir, url);
  logger.info({ url }, 'Pulse is listening');
  // Once serving, so a start that fails leaves no poller behind.
  const infra = startInfra({ config, pipeline, sources, logger, runsHere });

  return {
    url,
    adminKey: admin.key,
    pipeline,
    stream,
    store,
    storage,
    alerts: alerts.engine,
    reportSchedules,
    routes: app.routeTable,
    close: async () => {
      ready = false;
      await app.close(); // stops accepting; in-flight requests finish
      removeServerFile(config.dataDir);
      await captureTally.close();
      await infra.stop(); // scrapes and provider polls in flight are aborted
      await webhooks.stop(); // open email windows stay in the store for the next start
      await sync.stop(); // no new run; a read in flight is aborted, a write in flight finishes
      await relay.stop(); // what it has not forwarded stays in the ingest log for the next start
      await retention.close(); // no new scheduled run; a running one finishes
      await reportSchedules.stop(); // a report being generated finishes; its outbox rows are durable
      await analytics
        .save()
        .catch((error: unknown) => logger.warn({ err: error }, 'saving the summary rollups failed'));
      analytics.close();
      await pipeline.drain();
      await cluster?.stop(); // its last commits are published; another process takes the lead
      await alerts.close();
      await close();
    },
  };
}
