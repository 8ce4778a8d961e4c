import { checkBusinessEvent, isBusinessEventName } from '@pulse/events';
import type { QuarantinedEvent } from '../storage/event-store.js';
import type { CapturedEvent } from './captured-event.js';

/**
 * Quarantined events checked again against the current catalog, each with its corrected properties
 * (`fixes[id]` merged over the stored ones; null removes one): the valid ones and the ones still invalid.
 */
export function recheckQuarantined(
  entries: readonly QuarantinedEvent[],
  fixes: Readonly<Record<string, Record<string, unknown>>>,
): { valid: CapturedEvent[]; released: string[]; stillInvalid: QuarantinedEvent[] } {
  const valid: CapturedEvent[] = [];
  const released: string[] = [];
  const stillInvalid: QuarantinedEvent[] = [];
  for (const entry of entries) {
    const fix = fixes[entry.id] ?? {};
    const properties = { ...entry.event.properties, ...fix };
    for (const [key, value] of Object.entries(fix)) if (value === null) delete properties[key];
    const event = { ...entry.event, properties };
    const result = isBusinessEventName(event.event)
      ? checkBusinessEvent(event.event, event.properties, { uuid: event.uuid })
      : ({ ok: true } as const);
    if (!result.ok) {
      stillInvalid.push({ ...entry, event, issues: result.issues });
      continue;
    }
    released.push(entry.id);
    valid.push(event);
  }
  return { valid, released, stillInvalid };
}
