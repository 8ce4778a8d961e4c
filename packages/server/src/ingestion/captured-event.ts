/**
 * An event as capture hands it to the pipeline: PostHog-shaped, with its uuid, distinct_id and
 * timestamp already resolved the way PostHog's capture resolves them (decode/timestamp.ts, decode/index.ts).
 */
export interface CapturedEvent {
  /** The client's uuid, or a UUIDv7 minted at capture. */
  uuid: string;
  event: string;
  distinctId: string;
  /** Resolved event time, epoch milliseconds (UTC). */
  timestamp: number;
  properties: Record<string, unknown>;
}
