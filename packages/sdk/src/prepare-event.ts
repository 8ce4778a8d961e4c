import {
  BusinessEventValidationError,
  businessEventNames,
  checkBusinessEvent,
  isBusinessEventName,
  parseIsoDateTime,
  type BusinessEventName,
  type BusinessEventProperties,
} from '@pulse/events';
import type { TrackOptions } from './options.js';
import { wireCopy } from './wire-copy.js';

/** A business event ready for posthog-node's `capture()`. */
export interface PreparedEvent<N extends BusinessEventName> {
  event: N;
  distinctId: string;
  uuid: string;
  /** The business time (`tracking_date`): it becomes the event timestamp. */
  timestamp: Date;
  properties: BusinessEventProperties[N];
}

/**
 * Builds and validates one event; throws BusinessEventValidationError when it breaks the catalog.
 * `uuid` is minted by the caller so decision_id can default to it.
 */
export function prepareBusinessEvent<N extends BusinessEventName>(
  event: N,
  tenantId: string,
  props: object,
  options: TrackOptions | undefined,
  uuid: string,
  now: Date,
): PreparedEvent<N> {
  // Plain-JS callers are not held to the type of `event`.
  if (!isBusinessEventName(event)) {
    throw new TypeError(
      `Unknown business event ${JSON.stringify(event)}; expected one of ${businessEventNames.join(', ')}`,
    );
  }
  // A deep copy: the caller's object and arrays stay untouched, also while the event waits in the batch
  // queue; and what gets validated is what goes on the wire.
  const copy = wireCopy(props ?? {});
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new TypeError(`${event}: properties must be an object; received ${JSON.stringify(copy)}`);
  }
  const properties = copy as Record<string, unknown>;
  properties.tenant_id = tenantId;
  if (properties.tracking_date === undefined) properties.tracking_date = now.toISOString();

  const result = checkBusinessEvent(event, properties, { uuid });
  if (!result.ok) throw new BusinessEventValidationError(result.issues);

  return {
    event,
    // An empty override falls back to the tenant: posthog-node would otherwise mint an anonymous id.
    distinctId: options?.distinctId || tenantId,
    uuid,
    // The catalog has checked tracking_date is a parseable ISO 8601 date-time.
    timestamp: new Date(parseIsoDateTime(properties.tracking_date as string)),
    properties: result.properties,
  };
}
