import { Type, type Static } from '@sinclair/typebox';
import {
  AnyKeys,
  Body,
  alertStates,
  Deleted,
  doc,
  errors,
  fromQuery,
  IdParams,
  IsoTime,
  limitQuery,
  List,
  literals,
  Nullable,
  outlooks,
  severities,
  TenantParams,
  tenantQuery,
  text,
  toQuery,
} from './common.js';
import { conditionSchemas, ruleSchema } from './rules.js';

/** Alerts, their notifications (the outbox), alert rules and budgets. */

/** The filters of the alert list and of its groups (alert-inbox.ts). */
export const alertFilterFields = {
  state: Type.Optional(text('open | acknowledged | resolved (comma-separated or repeated)')),
  severity: Type.Optional(text('critical | high | medium (comma-separated or repeated)')),
  tenant: Type.Optional(tenantQuery),
  rule: Type.Optional(text('Rule ids (comma-separated or repeated)')),
  outlook: Type.Optional(text('risk | opportunity (default both)')),
  silenced: Type.Optional(
    text('exclude (default: alerts under a snooze or mute are left out) | include | only'),
  ),
  from: Type.Optional(fromQuery),
  to: Type.Optional(toQuery),
  cursor: Type.Optional(text('nextCursor of the previous page')),
};
const AlertFilterQuery = Type.Object({ ...alertFilterFields, limit: Type.Optional(limitQuery(10_000, 100)) });

export const AlertView = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  ruleName: Type.String(),
  severity: literals(severities),
  outlook: literals(outlooks, 'risk: a problem to act on; opportunity: good news (never paged)'),
  tenantId: Type.String(),
  key: AnyKeys(Type.String()),
  state: literals(alertStates),
  title: Type.String(),
  summary: Type.String(),
  amount: Nullable(Type.Number()),
  value: Nullable(Type.Number()),
  count: Type.Integer(),
  eventUuids: Type.Array(Type.String()),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  lastEventAt: Nullable(IsoTime),
  acknowledgedBy: Nullable(Type.String({ description: 'The id of who acknowledged it (user or API key)' })),
  acknowledgedByName: Type.Optional(
    Nullable(Type.String({ description: 'Their name or email, when acknowledgedBy is a known user' })),
  ),
  acknowledgedAt: Nullable(IsoTime),
  ackComment: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
  resolvedByName: Type.Optional(
    Nullable(Type.String({ description: 'Their name or email, for a known user' })),
  ),
  resolvedAt: Nullable(IsoTime),
  resolveComment: Nullable(Type.String()),
  resolution: Nullable(literals(['manual', 'auto'])),
  link: Nullable(Type.String({ description: 'The alert in the dashboard, when a public URL is configured' })),
  silence: Type.Optional(
    Nullable(
      Type.Object(
        { id: Type.String(), kind: literals(['snooze', 'mute'] as const), until: IsoTime },
        { description: 'The snooze or mute that holds it now (lists and single alerts show it)' },
      ),
    ),
  ),
});
export type AlertView = Static<typeof AlertView>;

export const TransitionView = Type.Object({
  id: Type.String(),
  kind: literals(['opened', 'refired', 'acknowledged', 'resolved']),
  at: IsoTime,
  actor: Type.String(),
  comment: Nullable(Type.String()),
  backfill: Type.Boolean(),
});
export type TransitionView = Static<typeof TransitionView>;

export const deliveryStatuses = ['pending', 'sent', 'dead'] as const;

export const Notification = Type.Object({
  id: Type.String(),
  alertId: Nullable(Type.String()),
  transitionId: Nullable(Type.String()),
  channel: literals(['slack', 'email', 'webhook']),
  target: Nullable(Type.String()),
  kind: Type.String({ description: 'alert.<transition kind> or digest.weekly' }),
  status: literals(deliveryStatuses),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(IsoTime),
  lastError: Nullable(Type.String()),
  createdAt: IsoTime,
  sentAt: Nullable(IsoTime),
});
export type Notification = Static<typeof Notification>;

export const AlertDetail = Type.Composite([
  AlertView,
  Type.Object({ transitions: Type.Array(TransitionView), notifications: Type.Array(Notification) }),
]);
export type AlertDetail = Static<typeof AlertDetail>;

const Notifications = Type.Object({ notifications: Type.Array(Notification) });
const CommentBody = Type.Union([
  Body({ comment: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))) }),
  Type.Null(),
]);
const AlertId = IdParams('Alert id');

/** A rule as stored and evaluated: the rule schema with its condition checked per kind. */
export const Rule = Type.Composite([
  Type.Omit(ruleSchema, ['condition']),
  Type.Object({ condition: Type.Union(Object.values(conditionSchemas)) }),
]);
export type RuleView = Static<typeof Rule>;
const RebuildFailure = Type.Object({
  ruleId: Type.String(),
  error: Type.String({ description: 'Why its state could not be rebuilt from stored events' }),
  at: IsoTime,
});

const Rules = Type.Object({
  rules: List(Rule),
  rebuildFailures: List(RebuildFailure, {
    description:
      'Installed rules whose state could not be rebuilt from stored events: they run on new events only',
  }),
});

export const RulePreview = Type.Object({
  ruleId: Type.String(),
  from: IsoTime,
  to: IsoTime,
  events: Type.Integer({ description: 'Events replayed, with the history read before from' }),
  truncated: Type.Boolean({ description: 'The event limit was reached: the replay ends at evaluatedTo' }),
  evaluatedTo: Nullable(IsoTime),
  firings: List(
    Type.Object({
      at: IsoTime,
      kind: literals(['opened', 'refired'] as const),
      tenantId: Type.String(),
      keyParts: AnyKeys(Type.String()),
      value: Nullable(Type.Number()),
      title: Type.String(),
      summary: Type.String(),
    }),
  ),
  tenants: List(Type.Object({ tenantId: Type.String(), firings: Type.Integer() })),
});
export type RulePreview = Static<typeof RulePreview>;

export const Budget = Type.Object({
  tenantId: Type.String(),
  monthlyUsd: Nullable(Type.Number()),
  resourceTypes: AnyKeys(Type.Number(), { description: 'Monthly USD per resource_type' }),
  updatedAt: Nullable(IsoTime),
});
export type Budget = Static<typeof Budget>;

export const alertRoutes = {
  listAlerts: {
    ...doc(
      'Alerts, filtered by state, severity, tenant, rule, outlook, silenced, from/to; paged by cursor',
      'alerts:read',
    ),
    querystring: AlertFilterQuery,
    response: {
      200: Type.Object({
        alerts: Type.Array(AlertView, { description: 'Newest first (by last seen)' }),
        hasMore: Type.Boolean({ description: 'More alerts match than `limit` returned' }),
        nextCursor: Nullable(
          Type.String({ description: 'Pass as cursor for the next page; null on the last' }),
        ),
      }),
      ...errors,
    },
  },
  listOutbox: {
    ...doc(
      'Notifications in the durable outbox (pending, sent, dead) with attempts and errors',
      'alerts:read',
      {
        everyTenant: true,
      },
    ),
    querystring: Type.Object({
      status: Type.Optional(text('pending | sent | dead (comma-separated or repeated)')),
      alert: Type.Optional(text('Alert id')),
      channel: Type.Optional(text('slack | email | webhook')),
      limit: Type.Optional(limitQuery(10_000, 100)),
    }),
    response: { 200: Notifications, ...errors },
  },
  retryNotification: {
    ...doc('Retry a failed notification now', 'alerts:write', { everyTenant: true }),
    params: IdParams('Notification id'),
    response: { 200: Notification, ...errors },
  },
  runDigest: {
    ...doc('Send the digest of medium alerts now', 'alerts:write', { everyTenant: true }),
    response: { 200: Notifications, ...errors },
  },
  getAlert: {
    ...doc('One alert with its transitions and notifications', 'alerts:read'),
    params: AlertId,
    response: { 200: AlertDetail, ...errors },
  },
  acknowledge: {
    ...doc('Acknowledge an alert (who is the caller)', 'alerts:write'),
    params: AlertId,
    body: CommentBody,
    response: { 200: AlertView, ...errors },
  },
  resolve: {
    ...doc('Resolve an alert by hand', 'alerts:write'),
    params: AlertId,
    body: CommentBody,
    response: { 200: AlertView, ...errors },
  },
} as const;

export const ruleRoutes = {
  listRules: {
    ...doc('Alert rules (data; the default set until edited)', 'rules:read'),
    response: { 200: Rules, ...errors },
  },
  replaceRules: {
    ...doc('Replace the rule set; invalid rules are refused naming the field', 'rules:write'),
    body: Type.Union([Type.Array(Type.Unknown()), Type.Object({ rules: Type.Array(Type.Unknown()) })], {
      description:
        'The whole rule set: [Rule, …] or {"rules": [Rule, …]}; each rule is checked naming the field',
    }),
    response: { 200: Rules, ...errors },
  },
  resetRules: {
    ...doc('Back to the default rule set', 'rules:write'),
    response: { 200: Rules, ...errors },
  },
  getRule: {
    ...doc('One rule', 'rules:read'),
    params: IdParams('Rule id'),
    response: { 200: Rule, ...errors },
  },
  putRule: {
    ...doc('Create or replace one rule', 'rules:write'),
    params: IdParams('Rule id'),
    body: AnyKeys(Type.Unknown(), { description: 'A Rule; checked naming the field' }),
    response: { 200: Rule, ...errors },
  },
  previewRule: {
    ...doc('Replay a rule over stored events: when and for which tenants it would have fired', 'rules:read'),
    body: Type.Object(
      {
        rule: Type.Optional(Type.Unknown({ description: 'A rule document to try (not saved)' })),
        ruleId: Type.Optional(Type.String({ description: 'An installed rule, instead of rule' })),
        from: IsoTime,
        to: IsoTime,
        tenants: Type.Optional(Type.Array(Type.String(), { maxItems: 1000 })),
      },
      { additionalProperties: false },
    ),
    response: { 200: RulePreview, ...errors },
  },
  deleteRule: {
    ...doc('Delete a rule', 'rules:write'),
    params: IdParams('Rule id'),
    response: { 200: Deleted, ...errors },
  },
} as const;

export const budgetRoutes = {
  listBudgets: {
    ...doc('Monthly budgets per tenant (and per resource_type)', 'budgets:read'),
    response: { 200: Type.Object({ budgets: Type.Array(Budget) }), ...errors },
  },
  getBudget: {
    ...doc('A tenant’s budget', 'budgets:read'),
    params: TenantParams,
    response: { 200: Budget, ...errors },
  },
  putBudget: {
    ...doc('Set a tenant’s monthly budget, USD', 'budgets:write'),
    params: TenantParams,
    body: Type.Object(
      {
        monthlyUsd: Type.Optional(Nullable(Type.Number({ description: 'USD per month; null removes it' }))),
        resourceTypes: Type.Optional(AnyKeys(Nullable(Type.Number()))),
      },
      { additionalProperties: false },
    ),
    response: { 200: Budget, ...errors },
  },
  deleteBudget: {
    ...doc('Remove a tenant’s budget', 'budgets:write'),
    params: TenantParams,
    response: { 200: Deleted, ...errors },
  },
} as const;
