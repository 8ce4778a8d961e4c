/** The server's JSON shapes the dashboard reads: the API contract's own types (types only, no code). */
import type {
  AlertGroup,
  AlertView,
  BusinessImpact,
  DecisionInsights,
  Report,
  Series,
  Session,
  StoredEvent,
  Summary,
} from '@pulse/api';

export type { AlertGroup, AlertView, BusinessImpact, DecisionInsights, Report, Series, StoredEvent, Summary };
export type Role = Session['user']['role'];
export type User = Session['user'];
export type SessionBody = Session;
export type Severity = AlertView['severity'];
export type AlertState = AlertView['state'];
export type Trend = Summary['trendAnalysis']['revenueTrend'];
export type TrendComparison = Summary['trendAnalysis']['revenue'];
export type ComponentName = keyof Summary['healthComponents'];
export interface HealthComponent {
  score: number | null;
  weight: number;
  effectiveWeight: number;
  inputs: Record<string, number | null>;
}

export interface TypeDelta {
  count: number;
  negativeRevenueImpact?: number;
  positiveRevenueImpact?: number;
  realizedSavings?: number;
  projectedSavings?: number;
}

export type LiveMessage = { seq: number } & (
  | { type: 'hello'; boot: string; at: string }
  | { type: 'events.delta'; at: string; tenants: Record<string, Record<string, TypeDelta>> }
  | { type: 'alert.transition'; kind: 'opened' | 'refired' | 'acknowledged' | 'resolved'; alert: AlertView }
  | { type: 'alert.updated'; alert: AlertView }
);
