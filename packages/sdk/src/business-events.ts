import type { BusinessEventName } from '@pulse/events';
import { PostHog, uuidv7 } from 'posthog-node';
import type { BusinessEventsOptions, CaptureClient, TrackOptions, TrackProperties } from './options.js';
import { prepareBusinessEvent } from './prepare-event.js';

/**
 * Typed business events over one posthog-node client: each event is checked against the Pulse catalog
 * before it is queued, so an invalid event throws in the sender's code instead of being quarantined later.
 */
export class BusinessEvents {
  readonly #client: CaptureClient;

  constructor(options: BusinessEventsOptions) {
    if ('client' in options) {
      this.#client = options.client;
    } else {
      const { apiKey, ...postHogOptions } = options;
      this.#client = new PostHog(apiKey, postHogOptions);
    }
  }

  /**
   * Validates and queues one event (sent in posthog-node's next batch).
   * @returns the event's uuid (UUIDv7), to correlate it with what the server stores.
   * @throws BusinessEventValidationError when the properties break the catalog; nothing is sent then.
   */
  track<N extends BusinessEventName>(
    eventName: N,
    tenantId: string,
    props: TrackProperties<N>,
    options?: TrackOptions,
  ): string {
    const prepared = prepareBusinessEvent(eventName, tenantId, props, options, uuidv7(), new Date());
    this.#client.capture(prepared);
    return prepared.uuid;
  }

  trackRevenueImpact(
    tenantId: string,
    props: TrackProperties<'revenue_impact_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('revenue_impact_event', tenantId, props, options);
  }

  trackCostOptimization(
    tenantId: string,
    props: TrackProperties<'cost_optimization_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('cost_optimization_event', tenantId, props, options);
  }

  trackOperationalEfficiency(
    tenantId: string,
    props: TrackProperties<'operational_efficiency_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('operational_efficiency_event', tenantId, props, options);
  }

  trackStrategicDecision(
    tenantId: string,
    props: TrackProperties<'strategic_decision_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('strategic_decision_event', tenantId, props, options);
  }

  trackEmailDeliverability(
    tenantId: string,
    props: TrackProperties<'email_deliverability_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('email_deliverability_event', tenantId, props, options);
  }

  trackResourceUsage(
    tenantId: string,
    props: TrackProperties<'resource_usage_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('resource_usage_event', tenantId, props, options);
  }

  trackSecurityIncident(
    tenantId: string,
    props: TrackProperties<'security_incident_event'>,
    options?: TrackOptions,
  ): string {
    return this.track('security_incident_event', tenantId, props, options);
  }

  /** Sends every queued event now (posthog-node waits for captures still being prepared). */
  flush(): Promise<void> {
    return this.#client.flush();
  }

  /** Flushes and stops the client; call once before the process exits. */
  shutdown(timeoutMs?: number): Promise<void> {
    return this.#client.shutdown(timeoutMs);
  }
}
