import { businessPerformanceScore, monthlyRevenueProtection, netRevenueImpact } from '@pulse/events/measures';
import { efficiencyTrend, moneyTrend } from '@pulse/events/trend';
import { businessHealth, operationalEfficiencyScore } from './health.js';
import type { AlertItem, ExecutiveSummary, KeyMetrics, SummaryScope, TimeWindow } from './summary-types.js';
import type { WindowTotals } from './window-totals.js';

export function keyMetricsOf(t: WindowTotals, window: TimeWindow): KeyMetrics {
  return {
    monthlyRevenueProtection: monthlyRevenueProtection(t.revenuePositive, window.to - window.from),
    costOptimizationSavings: t.realized,
    projectedSavings: t.projected,
    operationalEfficiencyScore: operationalEfficiencyScore(t),
    strategicDecisionsTracked: t.decisions,
    businessPerformanceScore: businessPerformanceScore(t.revenuePositive, t.revenueNegative),
    negativeRevenueImpact: t.revenueNegative,
    positiveRevenueImpact: t.revenuePositive,
  };
}

/** At most this many critical alerts are listed (the newest). */
const MAX_CRITICAL_ALERTS = 50;

/** criticalAlerts: open, critical, in scope, newest (lastSeen, then firstSeen, then id) first. */
export function criticalAlertsOf(alerts: readonly AlertItem[], scope: SummaryScope): AlertItem[] {
  const inScope = scope.tenants === 'all' ? null : new Set(scope.tenants);
  return alerts
    .filter((a) => a.severity === 'critical' && a.state === 'open' && (!inScope || inScope.has(a.tenantId)))
    .sort(
      (a, b) =>
        b.lastSeen - a.lastSeen || b.firstSeen - a.firstSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, MAX_CRITICAL_ALERTS);
}

export interface SummaryParts {
  scope: SummaryScope;
  window: TimeWindow;
  previousWindow: TimeWindow;
  tenants: number;
  generatedAt: number;
  current: WindowTotals;
  previous: WindowTotals;
  alerts: readonly AlertItem[];
}

/** The ExecutiveSummary of two windows' totals: each summary formula is here or in health.ts, trend.ts. */
export function composeSummary(parts: SummaryParts): ExecutiveSummary {
  const { current, previous } = parts;
  const keyMetrics = keyMetricsOf(current, parts.window);
  const previousEfficiency = operationalEfficiencyScore(previous);
  const health = businessHealth(current, keyMetrics);
  const revenue = moneyTrend(
    netRevenueImpact(current.revenuePositive, current.revenueNegative),
    netRevenueImpact(previous.revenuePositive, previous.revenueNegative),
  );
  const cost = moneyTrend(current.realized, previous.realized);
  const efficiency = efficiencyTrend(keyMetrics.operationalEfficiencyScore, previousEfficiency);
  const restated = Math.max(current.lateIngestedAt, previous.lateIngestedAt);
  return {
    window: parts.window,
    previousWindow: parts.previousWindow,
    tenants: parts.tenants,
    generatedAt: parts.generatedAt,
    restatedAt: restated > 0 ? restated : null,
    overallBusinessHealth: health.overall,
    healthComponents: health.components,
    keyMetrics,
    criticalAlerts: criticalAlertsOf(parts.alerts, parts.scope),
    recommendedActions: current.actions.map((c) => ({
      action: c.action,
      atStake: c.stake,
      eventType: c.eventType,
      tenantId: c.tenant,
      sourceEventUuid: c.uuid,
    })),
    trendAnalysis: {
      revenueTrend: revenue.trend,
      costTrend: cost.trend,
      efficiencyTrend: efficiency.trend,
      revenue: revenue.comparison,
      cost: cost.comparison,
      efficiency: efficiency.comparison,
    },
  };
}
