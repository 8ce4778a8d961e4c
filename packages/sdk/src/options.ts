import type { BusinessEventName, BusinessEventProperties } from '@pulse/events';
import type { PostHog, PostHogOptions } from 'posthog-node';

/** The part of a posthog-node client the SDK uses; a real `PostHog` fits. */
export type CaptureClient = Pick<PostHog, 'capture' | 'flush' | 'shutdown'>;

/**
 * Either a project token and host (plus any posthog-node option: flushAt, flushInterval,
 * disableCompression, before_send…), or a posthog-node client you already run.
 */
export type BusinessEventsOptions =
  | (Omit<PostHogOptions, 'host'> & {
      /** Project token, e.g. the `PULSE_PROJECT_TOKEN` of a Pulse server. */
      apiKey: string;
      /** Base URL of Pulse or of any PostHog-compatible capture API. Required: no silent default to PostHog Cloud. */
      host: string;
    })
  | {
      /** Shared with the caller: `flush()` and `shutdown()` act on it. */
      client: CaptureClient;
    };

export interface TrackOptions {
  /** PostHog `distinct_id`; defaults to the tenant id (distinct_id is free; tenant_id is the business key). */
  distinctId?: string;
}

/**
 * Drops `tenant_id` while keeping each known property's type and optionality. A plain `Omit` would not:
 * the catalog types carry a string index signature (extra properties are kept), so `keyof` is `string`
 * and `Omit` would collapse them to `Record<string, unknown>`.
 */
type WithoutTenant<T> = { [K in keyof T as K extends 'tenant_id' ? never : K]: T[K] } & {
  /** Comes from the `tenantId` argument. */
  tenant_id?: never;
};

/** What a `track*` method takes: the catalog's properties of that event, minus `tenant_id`. */
export type TrackProperties<N extends BusinessEventName> = WithoutTenant<BusinessEventProperties[N]>;
