import { Cron } from 'croner';
import type { AlertStore } from '../storage/alert-store.js';
import type { ChannelRegistry } from './channels/index.js';
import { iso } from './format.js';
import { toAlertView } from './present.js';
import type { AlertSettings } from './settings.js';
import type { Delivery, Notification } from './types.js';

const WEEK = 7 * 86_400_000;
/** A run missed while the server was down is caught up at start when it is at most this old. */
const CATCH_UP = 86_400_000;

export interface DigestOptions {
  store: AlertStore;
  channels: ChannelRegistry;
  settings: AlertSettings;
  clock: () => number;
  dispatch: (deliveries: readonly Delivery[]) => void;
  onError: (error: unknown) => void;
}

/**
 * The weekly digest of medium alerts: on a croner schedule, one summary per recipient (each email
 * address, the Slack channel, the webhook) of the medium alerts seen in the 7 days before the run. Rows go
 * through the outbox with ids derived from the scheduled minute, so a rerun (restart catch-up) of the same
 * run sends nothing twice.
 */
export class WeeklyDigest {
  private job: Cron | null = null;

  constructor(private readonly options: DigestOptions) {}

  start(): void {
    const { settings, clock } = this.options;
    if (!settings.digestCron) return;
    try {
      this.job = new Cron(
        settings.digestCron,
        { timezone: settings.digestTimezone, protect: true, unref: true },
        () => {
          this.run(clock()).catch(this.options.onError);
        },
      );
    } catch (error) {
      throw new Error(
        `PULSE_DIGEST_CRON ${JSON.stringify(settings.digestCron)} (timezone ${settings.digestTimezone}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    const previous = this.job.previousRuns(1, new Date(clock()))[0];
    if (previous && clock() - previous.getTime() <= CATCH_UP)
      this.run(previous.getTime()).catch(this.options.onError);
  }

  stop(): void {
    this.job?.stop();
    this.job = null;
  }

  /** When the next digest goes out (null when disabled). */
  nextRun(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  /** Builds and sends the digest of the week ending at `at`; returns the outbox rows it created. */
  async run(at: number): Promise<Delivery[]> {
    const { store, channels, settings } = this.options;
    const minute = Math.floor(at / 60_000) * 60_000;
    const from = minute - WEEK;
    const alerts = (await store.listAlerts({ severities: ['medium'], from, to: at + 1, limit: 10_000 }))
      .filter((a) => !a.backfill)
      .sort((a, b) => (b.amount ?? 0) - (a.amount ?? 0) || b.lastSeen - a.lastSeen);
    if (!alerts.length) return [];
    const period = { from: iso(from), to: iso(minute) };
    const rows: Delivery[] = [];
    for (const channel of settings.routes.digest) {
      for (const target of channels[channel].targets()) {
        const id = `digest.${period.to}.${channel}${target ? `.${target}` : ''}`;
        const payload: Notification = {
          type: 'digest',
          idempotency_key: id,
          period,
          alerts: alerts.map((a) => toAlertView(a, settings.publicUrl)),
          link: settings.publicUrl ? `${settings.publicUrl}/alerts?severity=medium` : null,
        };
        rows.push({
          id,
          alertId: null,
          transitionId: null,
          channel,
          target,
          payload,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: this.options.clock(),
          lastError: null,
          createdAt: this.options.clock(),
          sentAt: null,
        });
      }
    }
    const inserted = await store.insertDeliveries(rows);
    this.options.dispatch(inserted);
    return inserted;
  }
}
