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
  lifecycle: Pick<AlertLifecycle, 'apply' | 'endQuiet' | 'settleTitles'>;
  writer: Pick<AlertWriter, 'submitUpdate' | 'submitTransition' | 'submitQuiet'>;
  settings: AlertSettings;
  channels: ChannelRegistry;
  /** Under a snooze or mute: recorded as usual, pushed to nobody. */
  silenced: (alert: Alert) => boolean;
}) {
  const { lifecycle, writer, settings, channels, silenced } = deps;
  /** Inside `group`: the alerts its dedup updates touched, handed to the writer once each at its end. */
  let updated: Map<string, Alert> | null = null;

  /**
   * Queues a change for writing. Transitions that notify someone now (outbox rows; a live critical or high
   * alert for the dashboard) are written at once; the rest (backfill, medium, dedup) are coalesced.
   * With `urgent`, the promise resolves once the change is durable (API actions).
   */
  function record(change: Change, urgent = false): Promise<void> | void {
    const { alert, transition } = change;
    if (!transition) {
      if (updated) updated.set(alert.id, alert);
      else writer.submitUpdate(alert);
      return;
    }
    // The transition carries the newer snapshot: an update of the older one queued after it would undo it.
    updated?.delete(alert.id);
    const deliveries = silenced(alert) ? [] : deliveriesFor(alert, transition, settings, channels);
    if (urgent || deliveries.length || (!transition.backfill && alert.severity !== 'medium'))
      return writer.submitTransition(alert, transition, deliveries);
    writer.submitQuiet(alert, transition);
  }

  /**
   * Runs one evaluation pass (a group commit's events, a timer tick) as a unit: transitions are queued as
   * they happen (a notification waits for nothing else), while repeats of the same alert cost one title
   * render and one writer update for the whole pass instead of one per event.
   */
  function group(run: () => void): void {
    if (updated) return run();
    updated = new Map();
    try {
      run();
    } finally {
      const touched = updated;
      updated = null;
      lifecycle.settleTitles();
      for (const alert of touched.values()) writer.submitUpdate(alert);
    }
  }

  function apply(rule: Rule, outcomes: readonly Outcome[], now: number): void {
    group(() => {
      for (const outcome of outcomes) {
        const ended = lifecycle.endQuiet(rule, outcome, now);
        if (ended) void record(ended);
        const change = lifecycle.apply(rule, outcome, now);
        if (change) void record(change);
      }
    });
  }

  return { record, apply, group };
}

export type ChangeRecorder = ReturnType<typeof createChangeRecorder>;
