import type { BusinessEventName, SchemaIssue } from '@pulse/events';
import type { CapturedEvent } from '../ingestion/captured-event.js';
import type { ContributionFilter, ContributionPage } from './contributions.js';
import type { RetentionCount, RetentionCut } from './retention-store.js';

/** A business event that broke its schema, kept aside with the reasons until it is replayed. */
export interface QuarantinedEvent {
  id: string;
  receivedAt: number;
  /** Position of the event in its request's batch. */
  batchIndex: number;
  event: CapturedEvent;
  issues: SchemaIssue[];
}

/** What one group commit writes, atomically. */
export interface CommitBatch {
  events: CapturedEvent[];
  quarantined: QuarantinedEvent[];
  /** Quarantine ids that a replay moved into `events`. */
  releasedQuarantineIds: string[];
  ingestedAt: number;
}

export interface EventFilter {
  /** Tenants the caller may see; undefined = all. */
  tenants?: readonly string[];
  event?: string;
  from?: number;
  to?: number;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface StoredEvent extends CapturedEvent {
  tenantId: string | null;
  ingestedAt: number;
}

export interface EventPage {
  events: StoredEvent[];
  nextCursor: string | null;
}

export interface QuarantineFilter {
  tenants?: readonly string[];
  event?: string;
  limit: number;
}

/** Which tenants to list: the caller's (undefined = all), by id, after a previous page's last id. */
export interface TenantFilter {
  tenants?: readonly string[];
  limit: number;
  after?: string;
}

/** A tenant that has stored events. */
export interface TenantActivity {
  tenantId: string;
  events: number;
  firstEventAt: number;
  lastEventAt: number;
}

export interface TenantActivityPage {
  tenants: TenantActivity[];
  /** More tenants follow the last one. */
  more: boolean;
}

/** The narrow interface every storage engine implements. */
export interface EventStore {
  /** Writes events and quarantine changes in one durable transaction. */
  commit(batch: CommitBatch): Promise<void>;
  /** Of these uuids, the ones already stored (exact dedup confirmation). */
  existingUuids(uuids: readonly string[]): Promise<Set<string>>;
  /**
   * Streams every stored uuid (to rebuild the in-memory dedup index at start); with `ingestedSince`, only
   * those of events ingested at or after it (epoch ms).
   */
  forEachUuid(visit: (uuid: string) => void, ingestedSince?: number): Promise<number>;
  /** The newest ingestion time of a stored event (epoch ms), null when none is stored. */
  newestIngestedAt(): Promise<number | null>;
  listEvents(filter: EventFilter): Promise<EventPage>;
  /** The events that make one number, each with what it adds (see ContributionRule). */
  listContributions(filter: ContributionFilter): Promise<ContributionPage>;
  countEvents(): Promise<number>;
  /** Tenants with at least one stored event, ordered by id. */
  listTenants(filter: TenantFilter): Promise<TenantActivityPage>;
  /** Of these tenant ids, the ones with at least one stored event. */
  tenantsWithEvents(tenants: readonly string[]): Promise<Set<string>>;
  /** Tenants with events (within `tenants`, when given) whose ids are nearest to `name`, nearest first. */
  nearestTenants(name: string, filter: { tenants?: readonly string[]; limit: number }): Promise<string[]>;
  listQuarantine(filter: QuarantineFilter): Promise<QuarantinedEvent[]>;
  getQuarantined(ids: readonly string[]): Promise<QuarantinedEvent[]>;
  /**
   * Retention: counts per (table, tenant), and unless `dryRun` deletes, the events older than their
   * cut (by timestamp) and the quarantine entries older than it (by received_at); never anything newer.
   */
  deleteBefore(cuts: readonly RetentionCut[], options: { dryRun: boolean }): Promise<RetentionCount[]>;
  close(): Promise<void>;
}

export type { BusinessEventName };
