import type { ChannelRegistry } from './channels/index.js';
import type { Outcome } from './evaluate/index.js';
import type { AlertLifecycle, Change } from './lifecycle.js';
import { deliveriesFor } from './routing.js';
import type { Rule } from './rule-model.js';
import type { AlertSettings } from './settings.js';
import type { Alert } from './types.js';
import type { AlertWriter } from './writer.js';

/** Turns evaluation outcomes into lifecycle changes and queues each change for writing. */
export function createChangeRecorder(deps: {
  lifecycle: Pick<AlertLifecycle, 'apply' | 'endQuiet'>;
  writer: Pick<AlertWriter, 'submitUpdate' | 'submitTransition' | 'submitQuiet'>;
  settings: AlertSettings;
  channels: ChannelRegistry;
  /** Under a snooze or mute: recorded as usual, pushed to nobody. */
  silenced: (alert: Alert) => boolean;
}) {
  const { lifecycle, writer, settings, channels, silenced } = deps;

  /**
   * Queues a change for writing. Transitions that notify someone now (outbox rows; a live critical or high
   * alert for the dashboard) are written at once; the rest (backfill, medium, dedup) are coalesced.
   * With `urgent`, the promise resolves once the change is durable (API actions).
   */
  function record(change: Change, urgent = false): Promise<void> | void {
    const { alert, transition } = change;
    if (!transition) return writer.submitUpdate(alert);
    const deliveries = silenced(alert) ? [] : deliveriesFor(alert, transition, settings, channels);
    if (urgent || deliveries.length || (!transition.backfill && alert.severity !== 'medium'))
      return writer.submitTransition(alert, transition, deliveries);
    writer.submitQuiet(alert, transition);
  }

  function apply(rule: Rule, outcomes: readonly Outcome[], now: number): void {
    for (const outcome of outcomes) {
      const ended = lifecycle.endQuiet(rule, outcome, now);
      if (ended) void record(ended);
      const change = lifecycle.apply(rule, outcome, now);
      if (change) void record(change);
    }
  }

  return { record, apply };
}

export type ChangeRecorder = ReturnType<typeof createChangeRecorder>;
