import type { Logger } from 'pino';
import type { Analytics } from '../analytics/analytics.js';
import type { AlertEngine, AlertSettings } from '../alerts/index.js';
import type { FullConfig } from '../config/index.js';
import type { Storage } from '../storage/storage.js';
import { ReportSchedules } from './index.js';
import { PdfRenderer } from './render-pdf.js';

/** Report schedules wired to the store, analytics and the alert outbox, armed (and caught up) from the store. */
export async function startReportSchedules(deps: {
  config: FullConfig;
  storage: Storage;
  analytics: Analytics;
  alerts: AlertEngine;
  settings: AlertSettings;
  clock: () => number;
  logger: Logger;
  /** Stores the capture counts still in memory before a report reads them. */
  flushCaptureCounts: () => Promise<void>;
}): Promise<ReportSchedules> {
  const { config, storage, alerts, settings, logger } = deps;
  const schedules = new ReportSchedules({
    store: storage.reportSchedules,
    users: storage.users,
    audit: storage.audit,
    compose: {
      analytics: deps.analytics,
      reads: storage.analyticsReads,
      budgets: () => alerts.budgets(),
      alerts: (filter) => alerts.listAlerts(filter),
      insights: {
        store: storage.insights,
        captureCounts: storage.captureCounts,
        alerts: storage.alerts,
        rules: alerts,
        flushCaptureCounts: deps.flushCaptureCounts,
      },
      forecastSeries: storage.forecastSeries,
      publicUrl: settings.publicUrl,
      pdf: new PdfRenderer(config.chromiumPath),
      clock: deps.clock,
    },
    enqueue: (rows) => alerts.enqueue(rows),
    delivery: (id) => alerts.getDelivery(id),
    email: {
      configured: Boolean(settings.email.smtpUrl),
      from: config.reportEmailFrom ?? settings.email.from,
    },
    slack: { configured: Boolean(settings.slack.webhookUrl) },
    catchUpMs: config.reportCatchUpHours * 3_600_000,
    onError: (error, schedule) => logger.error({ err: error, schedule }, 'scheduled report failed'),
  });
  // Each copy's outcome joins the audit trail once the outbox has sent it or given up on it.
  alerts.onDeliverySettled((delivery, update) => {
    const payload = delivery.payload;
    if (payload.type !== 'report') return;
    storage.audit
      .append({
        at: update.sentAt ?? update.nextAttemptAt,
        actor: { kind: 'system', id: 'pulse', role: null },
        action: 'report.deliver',
        scope: [],
        detail: {
          schedule: payload.schedule.id,
          delivery: delivery.id,
          channel: delivery.channel,
          recipient: delivery.target || delivery.channel,
          scope: payload.scope,
          status: update.status,
          attempts: update.attempts,
          error: update.lastError,
        },
        result: update.status === 'sent' ? 'ok' : 'error',
        requestId: null,
      })
      .catch((error: unknown) => logger.error({ err: error }, 'audit of a report delivery failed'));
  });
  await schedules.start();
  return schedules;
}
