import { UNNAMED_LOG_ID } from '../ingestion/log-id.js';
import type { BusinessEventName } from '@pulse/events';
import type { Predicate, Rule } from '../alerts/rule-model.js';
import type { Silence, SilencedSet, SilenceKind } from '../alerts/silences.js';
import type {
  Alert,
  AlertState,
  Outlook,
  Delivery,
  DeliveryStatus,
  DurableChannelKind,
  Severity,
  Transition,
} from '../alerts/types.js';

/** What one lifecycle step writes, atomically: alert snapshots, their transitions and the outbox rows. */
export interface AlertWrite {
  alerts: readonly Alert[];
  transitions: readonly Transition[];
  deliveries: readonly Delivery[];
}

export interface AlertFilter {
  ids?: readonly string[];
  states?: readonly AlertState[];
  severities?: readonly Severity[];
  tenants?: readonly string[];
  rules?: readonly string[];
  outlooks?: readonly Outlook[];
  /** Leave out (or keep only) the alerts these snoozes and mutes cover. */
  silenced?: { mode: 'exclude' | 'only'; set: SilencedSet };
  /** Alerts seen in [from, to): last_seen ≥ from and first_seen < to. */
  from?: number;
  to?: number;
  /** Only alerts after this one in the list's order (last seen descending, then id): the next page. */
  after?: { lastSeen: number; id: string };
  limit: number;
}

/**
 * Alerts grouped as the inbox shows them: one group per tenant + rule (repeats of one problem), newest
 * first by last seen, then tenant and rule.
 */
export interface AlertGroupQuery {
  filter: Omit<AlertFilter, 'after'>;
  after?: { lastSeen: number; tenantId: string; ruleId: string };
  /** The sparkline: `count` equal slices of [from, to), by when each alert last fired (business time). */
  slices: { from: number; to: number; count: number };
}

export interface AlertGroupRow {
  tenantId: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  outlook: Outlook;
  title: string;
  /** The alert of the group seen last. */
  latestId: string;
  alerts: number;
  occurrences: number;
  open: number;
  acknowledged: number;
  resolved: number;
  amount: number | null;
  firstSeen: number;
  lastSeen: number;
  /** Occurrences per slice. */
  counts: number[];
}

export interface SilenceFilter {
  id?: string;
  kinds?: readonly SilenceKind[];
  /** Only those neither cancelled nor expired at this time. */
  holdingAt?: number;
  tenants?: readonly string[];
  limit: number;
}

export interface DeliveryFilter {
  statuses?: readonly DeliveryStatus[];
  alertId?: string;
  channel?: DurableChannelKind;
  limit: number;
}

/** The result of one send attempt. */
export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
}

/** A tenant's monthly budget (resourceType null) or one of its per-resource_type budgets, USD. */
export interface Budget {
  tenantId: string;
  resourceType: string | null;
  monthlyUsd: number;
  updatedAt: number;
}

/** The newest event of one (tenant, entity[, month]), with the values of the asked columns. */
export interface LatestRow {
  tenantId: string;
  entity: string;
  /** `2026-03` when asked per month. */
  month: string | null;
  uuid: string;
  timestamp: number;
  values: Record<string, unknown>;
}

export interface RecentRow {
  tenantId: string;
  uuid: string;
  timestamp: number;
  values: Record<string, unknown>;
}

/** A stored event read back for a replay, with every catalog property it carries (absent ones left out). */
export interface IngestedRow extends RecentRow {
  event: BusinessEventName;
  ingestedAt: number;
}

/** Events a saved rule state already holds: those ingested before `ingestedAt`, and the listed ones at it. */
export interface IngestedAfterQuery {
  events: readonly BusinessEventName[];
  ingestedAt: number;
  uuids: readonly string[];
}

/** What a saved rule state is checked against: the store's deletion count and newest ingestion instant. */
export interface IngestionMark {
  /** Retention runs that deleted events (rule state saved before one may hold deleted events). */
  deletions: number;
  /** Null for a store without events. */
  newestIngestedAt: number | null;
  /** The events ingested at that instant. */
  uuidsAtNewest: string[];
}

/**
 * A trend rule's lookback summed in the store: the events of `minutes` before each tenant's newest event of
 * the type (as recentEvents reads them), per tenant, key values and bucket of event time.
 */
export interface TrendBucketQuery {
  event: BusinessEventName;
  minutes: number;
  /** An event's bucket is ⌊epoch ms / bucketMs⌋. */
  bucketMs: number;
  key: readonly string[];
  /** The measured property: Σx adds its numeric values, 0 for an event without one. */
  property: string;
  /** Whether an event counts only when `property` holds a number (every aggregate but count). */
  propertyRequired: boolean;
  /** Each event's weight (Σw, Σx·w); an event counts only with a weight ≥ 0. Without one, 1. */
  weight?: string;
  /** An event counts only when every predicate holds for it (alerts/evaluate/predicates.ts `allHold`). */
  where: readonly Predicate[];
  /** How many of the newest events' ids to return (the evaluator remembers them to skip replayed events). */
  latestIds: number;
}

export interface TrendBucketRow {
  tenantId: string;
  /** The key properties' values in `key` order, as recentEvents returns them. */
  keyValues: unknown[];
  bucket: number;
  /** The series' events in this bucket, counted or not: they set where a series begins and ends. */
  events: number;
  /** The counted events, Σx, Σw and Σx·w. */
  n: number;
  sx: number;
  sw: number;
  sxw: number;
}

export interface TrendBuckets {
  rows: TrendBucketRow[];
  /** The newest `latestIds` events of the lookback, oldest first. */
  latest: { uuid: string; timestamp: number }[];
}

/** Reads of stored events that rebuild the engine's in-memory state at start (no full scans per event). */
export interface EventStateSource {
  /** Per (tenant, entity[, UTC month]), the newest event's `columns`; only events where `nonNull` is set. */
  latestByEntity(query: {
    event: BusinessEventName;
    entity: string;
    columns: readonly string[];
    nonNull?: string;
    byMonth?: boolean;
    since?: number;
  }): Promise<LatestRow[]>;
  /** Events of the `minutes` before each tenant's newest event of that type (open windows). */
  recentEvents(query: {
    event: BusinessEventName;
    columns: readonly string[];
    minutes: number;
  }): Promise<RecentRow[]>;
  /**
   * A trend rule's lookback as sums per tenant, key and bucket; null when the store cannot express one of
   * the query's filters or key properties (the caller then reads the events with recentEvents).
   */
  trendBuckets(query: TrendBucketQuery): Promise<TrendBuckets | null>;
  /**
   * For rule state saved at a stop (alerts/rule-state-file.ts): the store's mark, and the events ingested
   * since the state was saved, in ingestion order. Null where the store does not offer them (the rules'
   * state is then rebuilt).
   */
  ingestionMark?(): Promise<IngestionMark | null>;
  ingestedAfter?(query: IngestedAfterQuery): Promise<IngestedRow[] | null>;
}

export interface HistoryQuery {
  event: BusinessEventName;
  /** Epoch ms, both inclusive. */
  from: number;
  to: number;
  tenants?: readonly string[];
  limit: number;
}

/** Stored events over a past range, in timestamp order: what a rule preview replays. */
export interface EventHistorySource {
  eventsBetween(query: HistoryQuery): Promise<RecentRow[]>;
}

/**
 * Which connection a write goes through: `fast` for notifications (small, latency-bound), `bulk` for
 * coalesced updates (large). Each lane is ordered; the two run concurrently (the caller keeps them apart
 * when they touch the same alert).
 */
export type WriteLane = 'fast' | 'bulk';

/**
 * How long a sender holds an outbox row past its attempt time before another process may claim it: longer
 * than one send with its timeouts. Rows written by `write` and `insertDeliveries` start held by the writer,
 * which sends them at once.
 */
export const DELIVERY_LEASE_MS = 60_000;

/** How far one process's alert journal (alerts/journal.ts) is stored. */
export interface JournalPosition {
  id: string;
  end: number;
}

/**
 * The alert_meta key of a journal's stored position: one per journal, since processes sharing a store each
 * keep their own. A journal written before journals had ids keeps the key its store used then.
 */
export const journalStoredKey = (journalId: string): string =>
  journalId === UNNAMED_JOURNAL_ID ? 'journal_stored' : `journal_stored:${journalId}`;

/** The id given to a journal written before journals had ids. */
export const UNNAMED_JOURNAL_ID = UNNAMED_LOG_ID;

/**
 * What a write kept. `dropped`: alerts of the batch another process sharing the store already holds open
 * (it notifies for them): their snapshots, transitions and notifications were not written, and this
 * process must not announce them. Always empty on a store only one process writes.
 */
export interface AlertWriteOutcome {
  dropped: ReadonlySet<string>;
}

/** Alerts, their transitions, the notification outbox, rules and budgets, durably. */
export interface AlertStore extends EventStateSource, EventHistorySource {
  /**
   * Alert snapshots (replacing earlier ones by id), transitions and outbox rows in one transaction; with
   * `journal`, also that that alert journal is stored up to `end` (same transaction: replay is exact).
   */
  write(batch: AlertWrite, lane?: WriteLane, journal?: JournalPosition): Promise<AlertWriteOutcome>;
  /** How far the alert journal with this id is stored (0 when never written). */
  journalStored(journalId: string): Promise<number>;
  /** Open and acknowledged alerts: the engine's starting state. */
  activeAlerts(): Promise<Alert[]>;
  listAlerts(filter: AlertFilter): Promise<Alert[]>;
  alertGroups(query: AlertGroupQuery): Promise<AlertGroupRow[]>;
  getAlert(id: string): Promise<Alert | null>;
  transitions(alertId: string): Promise<Transition[]>;
  /** One transition of an alert (null when not stored): what another process announced it committed. */
  transition(alertId: string, transitionId: string): Promise<Transition | null>;

  /**
   * Takes up to `limit` pending rows that are due at `now` and held by no sender, and holds them for the
   * caller until `now + DELIVERY_LEASE_MS`: every process sharing the store sends each row once. A sender
   * that dies lets its rows go when the hold runs out, and another process claims them then.
   */
  claimDeliveries(now: number, limit: number): Promise<Delivery[]>;
  listDeliveries(filter: DeliveryFilter): Promise<Delivery[]>;
  getDelivery(id: string): Promise<Delivery | null>;
  /** Stores send results; a row left pending stays held by its sender until `nextAttemptAt + DELIVERY_LEASE_MS`. */
  updateDeliveries(updates: readonly DeliveryUpdate[]): Promise<void>;
  /** Inserts rows whose id is new (idempotent jobs such as the digest); returns the ones inserted. */
  insertDeliveries(rows: readonly Delivery[]): Promise<Delivery[]>;

  /** The stored rule set; null before the first save (the engine then seeds the defaults). */
  loadRules(): Promise<unknown[] | null>;
  saveRules(rules: readonly Rule[]): Promise<void>;
  listBudgets(): Promise<Budget[]>;
  /** Replaces a tenant's budgets (all rows of that tenant) in one transaction. */
  replaceBudgets(tenantId: string, budgets: readonly Budget[]): Promise<void>;

  /** Snoozes and mutes, newest first. */
  listSilences(filter: SilenceFilter): Promise<Silence[]>;
  /** Stores these (replacing earlier versions by id) in one transaction. */
  writeSilences(rows: readonly Silence[]): Promise<void>;

  close(): Promise<void>;
}
