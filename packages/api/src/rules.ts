import { businessEventNames } from '@pulse/events';
import { Type, type Static } from '@sinclair/typebox';
import { outlooks, severities } from './common.js';

/**
 * Alert rules are data: JSON documents, validated by these schemas (rule-validation.ts) before they
 * are stored or evaluated. Their field names are camelCase like the rest of the API; the catalog
 * property names they refer to (values such as `email_count`) stay as the catalog spells them.
 */

const property = Type.String({ minLength: 1, maxLength: 100, description: 'A catalog property' });
const scalar = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);
const positive = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
const nonNegative = (description: string) => Type.Number({ minimum: 0, description });

export const comparisonOps = ['>', '>=', '<', '<='] as const;
export const predicateOps = [...comparisonOps, '==', '!=', 'in', 'not_in', 'exists'] as const;

export const predicateSchema = Type.Object(
  {
    property,
    op: Type.Union(predicateOps.map((op) => Type.Literal(op))),
    /** A number for >, >=, <, <=; a list for in / not_in; absent for exists. */
    value: Type.Optional(Type.Union([scalar, Type.Array(Type.Union([Type.String(), Type.Number()]))])),
  },
  { additionalProperties: false },
);
export type Predicate = Static<typeof predicateSchema>;
export type PredicateOp = Predicate['op'];

export const windowAggregates = ['weighted_mean', 'mean', 'sum', 'count', 'max'] as const;

const comparison = Type.Union(comparisonOps.map((op) => Type.Literal(op)));

/** One event matches: every `all` predicate holds and, when given, at least one `any` predicate. */
export const compareSchema = Type.Object(
  {
    kind: Type.Literal('compare'),
    all: Type.Array(predicateSchema, { maxItems: 20 }),
    any: Type.Optional(Type.Array(predicateSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/** An aggregate over the events of the last `minutes` (event time) per tenant and key, e.g. the email-weighted bounce rate. */
export const windowSchema = Type.Object(
  {
    kind: Type.Literal('window'),
    aggregate: Type.Union(windowAggregates.map((a) => Type.Literal(a))),
    property,
    /** weighted_mean only: the weight of each event (e.g. email_count). */
    weight: Type.Optional(property),
    minutes: Type.Number({ exclusiveMinimum: 0, maximum: 7 * 24 * 60 }),
    /** The window fires only with at least this much evidence: Σ weight for weighted_mean, else the event count. */
    minSample: nonNegative('Minimum sample (Σ weight, or events)'),
    op: comparison,
    value: Type.Number(),
    where: Type.Optional(Type.Array(predicateSchema, { maxItems: 20 })),
    /** Property summed over the window as the alert's $ amount (e.g. cost_impact). */
    amount: Type.Optional(property),
  },
  { additionalProperties: false },
);

/**
 * Month-to-date run-rate: Σ of the latest `cost` of each `entity` in the month (per tenant) against the
 * tenant's monthly budget, and against its per-`group` budgets when set (e.g. per resource_type).
 */
export const budgetSchema = Type.Object(
  {
    kind: Type.Literal('budget'),
    cost: property,
    entity: property,
    group: Type.Optional(property),
    /** Fires above this percentage of the budget (120 in the default rules). */
    percent: positive('Percent of the budget'),
  },
  { additionalProperties: false },
);

/** A numeric property of one entity moved by more than `points` between consecutive events. */
export const changeSchema = Type.Object(
  {
    kind: Type.Literal('change'),
    property,
    entity: property,
    points: positive('Smallest change that fires, in the property’s units'),
    where: Type.Optional(Type.Array(predicateSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

/**
 * Absence: the entity's latest `date` (e.g. next_review_date) has passed, plus `graceMinutes`, and no
 * event of that entity arrived since; not when its latest event matches one of `unless`.
 */
export const overdueSchema = Type.Object(
  {
    kind: Type.Literal('overdue'),
    date: property,
    entity: property,
    graceMinutes: Type.Optional(nonNegative('Grace after the date')),
    unless: Type.Optional(Type.Array(predicateSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export const trendAggregates = ['sum', 'mean', 'count', 'weighted_mean'] as const;
export const directions = ['up', 'down', 'either'] as const;
const trendFields = {
  aggregate: Type.Union(trendAggregates.map((a) => Type.Literal(a))),
  /** The measured property (for count: any property of the event, e.g. its amount). */
  property,
  /** weighted_mean only: the weight of each event (e.g. email_count). */
  weight: Type.Optional(property),
  direction: Type.Union(directions.map((d) => Type.Literal(d))),
  where: Type.Optional(Type.Array(predicateSchema, { maxItems: 20 })),
};

/**
 * The aggregate over the last `minutes` against the `minutes` before (e.g. net revenue impact this 24 h vs
 * the 24 h before), evaluated each time one 24th of the window completes; fires when the change is at least
 * `percent` in `direction`. Both windows need `minSample` (Σ weight for weighted_mean, else events).
 */
export const changePercentSchema = Type.Object(
  {
    kind: Type.Literal('change_percent'),
    ...trendFields,
    minutes: Type.Number({ minimum: 24, maximum: 31 * 24 * 60 }),
    percent: positive('Smallest change that fires, in percent of the previous window'),
    minSample: nonNegative('Minimum sample in each window (Σ weight, or events)'),
  },
  { additionalProperties: false },
);

export const anomalyMethods = ['zscore', 'mad'] as const;

/**
 * Each completed bucket's aggregate against the `baselineBuckets` buckets before it: a z-score (mean and
 * standard deviation) or a robust score (median and 1.4826 × median absolute deviation); fires when the
 * score reaches `threshold` in `direction`, with at least `minSample` baseline buckets that have a value.
 */
export const anomalySchema = Type.Object(
  {
    kind: Type.Literal('anomaly'),
    ...trendFields,
    bucketMinutes: Type.Number({ minimum: 1, maximum: 7 * 24 * 60 }),
    baselineBuckets: Type.Integer({ minimum: 3, maximum: 24 * 28 }),
    method: Type.Union(anomalyMethods.map((m) => Type.Literal(m))),
    threshold: positive('Score that fires (standard deviations)'),
    minSample: Type.Integer({ minimum: 2, description: 'Baseline buckets with a value needed' }),
  },
  { additionalProperties: false },
);

export const conditionKinds = [
  'compare',
  'window',
  'budget',
  'change',
  'overdue',
  'change_percent',
  'anomaly',
] as const;
export type ConditionKind = (typeof conditionKinds)[number];

export const conditionSchemas = {
  compare: compareSchema,
  window: windowSchema,
  budget: budgetSchema,
  change: changeSchema,
  overdue: overdueSchema,
  change_percent: changePercentSchema,
  anomaly: anomalySchema,
} as const;

export type CompareCondition = Static<typeof compareSchema>;
export type WindowCondition = Static<typeof windowSchema>;
export type BudgetCondition = Static<typeof budgetSchema>;
export type ChangeCondition = Static<typeof changeSchema>;
export type OverdueCondition = Static<typeof overdueSchema>;
export type ChangePercentCondition = Static<typeof changePercentSchema>;
export type AnomalyCondition = Static<typeof anomalySchema>;
export type TrendCondition = ChangePercentCondition | AnomalyCondition;
export type Condition =
  | CompareCondition
  | WindowCondition
  | BudgetCondition
  | ChangeCondition
  | OverdueCondition
  | ChangePercentCondition
  | AnomalyCondition;

/**
 * How an open alert resolves by itself.
 * - `clear`: a later evaluation of the same key no longer matches, with `hysteresis` (numeric thresholds
 *   moved that far to the safe side) and the key staying clear for `afterMinutes`;
 * - `quiet`: no new occurrence for `afterMinutes` (rules on one-off facts, e.g. a large loss);
 * - `manual`: never by itself (e.g. a security incident).
 */
export const resolveSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('clear'), Type.Literal('quiet'), Type.Literal('manual')]),
    afterMinutes: nonNegative('How long the condition must stay clear (or quiet)'),
    hysteresis: Type.Optional(nonNegative('Margin on numeric thresholds before the alert clears')),
  },
  { additionalProperties: false },
);

export const ruleSchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9][a-z0-9_.-]{0,79}$',
      description: 'Stable id, e.g. revenue-loss-critical',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    severity: Type.Union(severities.map((s) => Type.Literal(s))),
    /** Good news (identified savings…) is an opportunity: severity medium at most, never pushed. Default risk. */
    outlook: Type.Optional(Type.Union(outlooks.map((o) => Type.Literal(o)))),
    enabled: Type.Boolean(),
    events: Type.Array(Type.Union(businessEventNames.map((n) => Type.Literal(n))), {
      minItems: 1,
      uniqueItems: true,
    }),
    /** Checked per kind against conditionSchemas (for messages that name the field). */
    condition: Type.Object({ kind: Type.Union(conditionKinds.map((k) => Type.Literal(k))) }),
    /** Properties that, with the rule and the tenant, form the dedup key (e.g. ["resource_id"]). */
    key: Type.Array(property, { maxItems: 5, uniqueItems: true }),
    /** The event property that names the subject in the title (e.g. decision_title). */
    label: Type.Optional(property),
    /** The event property shown as the alert's $ amount. */
    amount: Type.Optional(property),
    /** A new trigger of an open alert within this many minutes of its last one only counts (no notification). */
    cooldownMinutes: nonNegative('Dedup window'),
    resolve: resolveSchema,
  },
  { additionalProperties: false },
);

export type Rule = Omit<Static<typeof ruleSchema>, 'condition'> & { condition: Condition };
export type ResolvePolicy = Rule['resolve'];
