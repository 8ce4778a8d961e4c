import type { Command } from 'commander';
import type { Summary } from '@pulse/api';
import type { Trend } from '../../analytics/summary-types.js';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { print } from '../table.js';

const arrow: Record<Trend, string> = { improving: '▲', stable: '▶', declining: '▼' };
const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const num = (n: number | null, digits = 1) => (n === null ? '—' : n.toFixed(digits));
const bar = (score: number | null, width = 30) =>
  score === null ? '░'.repeat(width) : '█'.repeat(Math.round((score / 100) * width)).padEnd(width, '░');

/** The summary as a person reads it in a terminal: health, KPIs with trends, alerts, actions. */
export function renderSummary(s: Summary): string {
  const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  const t = s.trendAnalysis;
  const k = s.keyMetrics;
  const lines = [
    ...s.unknownTenants.map(
      (u) =>
        `No events for tenant ${u.tenantId}${u.suggestions.length ? `; did you mean ${u.suggestions.join(', ')}?` : ''}`,
    ),
    ...(s.unknownTenants.length ? [''] : []),
    `Executive summary · ${s.tenants} tenant(s) · ${day(s.window.from)} → ${day(s.window.to)} UTC${s.restatedAt ? ` · restated ${day(s.restatedAt)}` : ''}`,
    '',
    `Business health  ${bar(s.overallBusinessHealth)}  ${num(s.overallBusinessHealth)} / 100`,
    ...Object.entries(s.healthComponents).map(
      ([name, c]: [string, { score: number | null; weight: number; effectiveWeight: number }]) =>
        `  ${name.padEnd(15)} ${bar(c.score, 20)}  ${num(c.score).padStart(5)}   weight ${c.weight.toFixed(2)} → ${c.effectiveWeight.toFixed(2)}`,
    ),
    '',
    'Key metrics (previous window in brackets)',
    `  ${arrow[t.revenueTrend]} revenue protection / month  ${usd(k.monthlyRevenueProtection).padStart(14)}   net ${usd(t.revenue.current ?? 0)} [${usd(t.revenue.previous ?? 0)}]`,
    `  ${arrow[t.costTrend]} realized savings           ${usd(k.costOptimizationSavings).padStart(14)}   [${usd(t.cost.previous ?? 0)}]   projected ${usd(k.projectedSavings)}`,
    `  ${arrow[t.efficiencyTrend]} efficiency score           ${num(k.operationalEfficiencyScore).padStart(14)}   [${num(t.efficiency.previous)}]`,
    `    performance score          ${num(k.businessPerformanceScore).padStart(14)}   revenue +${usd(k.positiveRevenueImpact)} / −${usd(k.negativeRevenueImpact)}`,
    `    decisions tracked          ${String(k.strategicDecisionsTracked).padStart(14)}`,
    '',
    `Critical alerts (${s.criticalAlerts.length})`,
    ...(s.criticalAlerts.length
      ? s.criticalAlerts.slice(0, 10).map((a) => `  ● ${a.tenantId}  ${a.message ?? a.rule}  ×${a.count}`)
      : ['  none open']),
    '',
    'Recommended actions',
    ...(s.recommendedActions.length
      ? s.recommendedActions.map(
          (a, i) => `  ${i + 1}. ${a.action}  (${usd(a.atStake)} at stake · ${a.tenantId})`,
        )
      : ['  none in this window']),
  ];
  return lines.join('\n');
}

export function registerSummary(program: Command): void {
  withClientOptions(
    program
      .command('summary')
      .description(
        'The executive summary: health score, KPIs with trends, critical alerts, recommended actions',
      )
      .option('--tenant <ids>', 'only these tenants (comma-separated; default all you may see)')
      .option('--from <time>', 'window start (ISO 8601 or epoch ms; default 30 days before --to)')
      .option('--to <time>', 'window end (default now)')
      .option('--json', 'machine output'),
  ).action(
    async (options: ClientOptions & { tenant?: string; from?: string; to?: string; json?: boolean }) => {
      const params = new URLSearchParams();
      for (const key of ['tenant', 'from', 'to'] as const) if (options[key]) params.set(key, options[key]);
      const summary = await ApiClient.from(options).request<Summary>('GET', `/api/summary?${params}`);
      print(options.json ?? false, summary, () => renderSummary(summary));
    },
  );
}
