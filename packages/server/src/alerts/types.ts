import type { Logger } from 'pino';
/** Business-severity tiers: critical pushes at once, high goes to the dashboard, medium to the digest. */
export const severities = ['critical', 'high', 'medium'] as const;
export type Severity = (typeof severities)[number];

/** A risk (a problem to act on) or an opportunity (good news); see outlook.ts. */
export const outlooks = ['risk', 'opportunity'] as const;
export type Outlook = (typeof outlooks)[number];

export const alertStates = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof alertStates)[number];

/** What happened to an alert. `refired`: it fired again after a quiet spell longer than the cooldown. */
export const transitionKinds = ['opened', 'refired', 'acknowledged', 'resolved'] as const;
export type TransitionKind = (typeof transitionKinds)[number];

/** The channels of the typed registry (channels/index.ts). */
export const channelKinds = ['slack', 'email', 'webhook', 'dashboard'] as const;
export type ChannelKind = (typeof channelKinds)[number];

/** The channels that go through the durable outbox (the dashboard is an in-process stream). */
export type DurableChannelKind = Exclude<ChannelKind, 'dashboard'>;
export const durableChannelKinds: readonly DurableChannelKind[] = ['slack', 'email', 'webhook'];

/** How many triggering event uuids an alert keeps (newest last). */
export const MAX_EVENT_UUIDS = 20;

export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  outlook: Outlook;
  tenantId: string;
  /** rule + tenant + the rule's key properties: at most one open or acknowledged alert per dedup key. */
  dedupKey: string;
  /** The rule's key properties and their values, e.g. `{ resource_id: 'db-1' }`. */
  keyParts: Record<string, string>;
  state: AlertState;
  /** What fired, as of the trigger that opened (or refired) it; value, amount and count stay current. */
  title: string;
  /** Why it fired, with the numbers of that trigger. */
  summary: string;
  /** USD at stake (the event's amount, the overrun, the window's cost…); summed over occurrences for occurrence rules. */
  amount: number | null;
  /** The measured value compared with the threshold (bounce rate, % of budget, score…). */
  value: number | null;
  /** Triggering events, bounded to the newest MAX_EVENT_UUIDS. */
  eventUuids: string[];
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** Business time of the newest trigger (event timestamp, window end, review date). */
  lastEventAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  ackComment: string | null;
  resolvedBy: string | null;
  resolvedAt: number | null;
  resolveComment: string | null;
  resolution: 'manual' | 'auto' | null;
  /** Opened (or last refired) from a trigger older than the notify horizon: recorded, not pushed. */
  backfill: boolean;
  updatedAt: number;
}

export interface Transition {
  id: string;
  alertId: string;
  kind: TransitionKind;
  at: number;
  /** A user, or `pulse` for the engine. */
  actor: string;
  comment: string | null;
  /** True when the trigger is older than the notify horizon (a backfill): recorded, not pushed. */
  backfill: boolean;
}

export const deliveryStatuses = ['pending', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One outbox row: one notification to one channel target, sent at least once and deduplicable by id. */
export interface Delivery {
  /** Also the idempotency key in the payload and the webhook-id header. */
  id: string;
  alertId: string | null;
  transitionId: string | null;
  channel: DurableChannelKind;
  /** The email recipient; empty for slack/webhook (their URL comes from configuration at send time). */
  target: string;
  payload: Notification;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

/** An alert as notifications and the API show it. */
export interface AlertView {
  id: string;
  rule: string;
  rule_name: string;
  severity: Severity;
  outlook: Outlook;
  tenant_id: string;
  key: Record<string, string>;
  state: AlertState;
  title: string;
  summary: string;
  amount: number | null;
  value: number | null;
  count: number;
  event_uuids: string[];
  first_seen: string;
  last_seen: string;
  last_event_at: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  ack_comment: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolve_comment: string | null;
  resolution: 'manual' | 'auto' | null;
  link: string | null;
}

/** What a channel sends: one alert transition, or the weekly digest of medium alerts. */
export type Notification =
  | {
      type: 'alert';
      idempotency_key: string;
      transition: { id: string; kind: TransitionKind; at: string; actor: string; comment: string | null };
      alert: AlertView;
    }
  | {
      type: 'digest';
      idempotency_key: string;
      period: { from: string; to: string };
      alerts: AlertView[];
      link: string | null;
    }
  | ReportNotification;

/**
 * A scheduled report, rendered once when its run is generated: every retry sends these same bytes. Email gets
 * the full copy (HTML body with inline charts, PDF and CSV attachments); Slack the short text with the link.
 */
export interface ReportNotification {
  type: 'report';
  idempotency_key: string;
  schedule: { id: string; name: string };
  period: { from: string; to: string };
  /** The tenants this copy shows, in words. */
  scope: string;
  subject: string;
  text: string;
  html: string | null;
  /** `cid` set: shown inline by the HTML (charts); else an attachment (PDF, CSV). */
  attachments: { filename: string; contentType: string; base64: string; cid: string | null }[];
  from: string | null;
  link: string | null;
}

/** What the alert modules log through (a pino logger in the server). */
export type AlertLogger = Pick<Logger, 'info' | 'warn' | 'error'>;
