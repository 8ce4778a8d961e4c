/** The server's JSON shapes the dashboard reads (mirrors packages/server; kept narrow on purpose). */

export type Role = 'admin' | 'executive' | 'tenant_executive' | 'analyst' | 'ingest';
export type Trend = 'improving' | 'stable' | 'declining';
export type Severity = 'critical' | 'high' | 'medium';
export type AlertState = 'open' | 'acknowledged' | 'resolved';

export interface User {
  id: string;
  email: string;
  role: Role;
  tenants: readonly string[] | 'all';
}

export interface SessionBody {
  user: User;
  csrfToken: string;
}

export interface TrendComparison {
  current: number | null;
  previous: number | null;
  change: number | null;
  basis: 'relative' | 'absolute';
}

export interface HealthComponent {
  score: number | null;
  weight: number;
  effectiveWeight: number;
  inputs: Record<string, number | null>;
}

export type ComponentName = 'revenue' | 'efficiency' | 'deliverability' | 'cost' | 'resources';

export interface Summary {
  window: { from: number; to: number };
  previousWindow: { from: number; to: number };
  tenants: number;
  generatedAt: number;
  overallBusinessHealth: number | null;
  healthComponents: Record<ComponentName, HealthComponent>;
  keyMetrics: {
    monthlyRevenueProtection: number;
    costOptimizationSavings: number;
    projectedSavings: number;
    operationalEfficiencyScore: number | null;
    strategicDecisionsTracked: number;
    businessPerformanceScore: number;
    negativeRevenueImpact: number;
    positiveRevenueImpact: number;
  };
  criticalAlerts: {
    id: string;
    rule: string;
    severity: Severity;
    tenantId: string;
    state: AlertState;
    firstSeen: number;
    lastSeen: number;
    count: number;
    message?: string;
  }[];
  recommendedActions: { action: string; atStake: number; eventType: string; tenantId: string }[];
  trendAnalysis: {
    revenueTrend: Trend;
    costTrend: Trend;
    efficiencyTrend: Trend;
    revenue: TrendComparison;
    cost: TrendComparison;
    efficiency: TrendComparison;
  };
}

export interface AlertView {
  id: string;
  rule: string;
  rule_name: string;
  severity: Severity;
  tenant_id: string;
  state: AlertState;
  title: string;
  summary: string;
  amount: number | null;
  value: number | null;
  count: number;
  first_seen: string;
  last_seen: string;
  acknowledged_by: string | null;
  ack_comment: string | null;
  resolved_by: string | null;
  resolve_comment: string | null;
}

export interface Series {
  window: { from: number; to: number };
  bucketMs: number;
  tenants: string[];
  revenue: { t: number; negative: number; positive: number }[];
  savings: { t: number; realized: number; projected: number }[];
  efficiency: Record<string, { t: number; score: number }[]>;
  deliverability: { t: number; bounceRate: number | null; spamRate: number | null; emails: number }[];
  providers: {
    provider: string;
    emails: number;
    bounceRate: number | null;
    spamRate: number | null;
    riskLevel: string | null;
  }[];
  thresholds: { bounceRate: number; spamRate: number };
  runRate: { t: number; cost: number }[];
  budgetMonthly: number | null;
  utilization: {
    tenant_id: string;
    resource_id: string;
    resource_type: string;
    utilization: number | null;
    total_cost: number | null;
  }[];
}

export interface StoredEvent {
  uuid: string;
  event: string;
  tenant_id: string | null;
  timestamp: string;
  properties: Record<string, unknown>;
}

export interface Report {
  name: string;
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
  window: { kind: string; from: string; to: string };
}

export interface TypeDelta {
  count: number;
  negativeRevenueImpact?: number;
  positiveRevenueImpact?: number;
  realizedSavings?: number;
  projectedSavings?: number;
}

export type LiveMessage = { seq: number } & (
  | { type: 'hello'; boot: string; at: number }
  | { type: 'events.delta'; at: number; tenants: Record<string, Record<string, TypeDelta>> }
  | { type: 'alert.transition'; kind: 'opened' | 'refired' | 'acknowledged' | 'resolved'; alert: AlertView }
  | { type: 'alert.updated'; alert: AlertView }
);
