import type { Command } from 'commander';
import type { Benchmarks, BusinessImpact, DecisionInsights, Durations } from '@pulse/api';
import { ApiClient, withClientOptions, type ClientOptions } from '../api-client.js';
import { formatTable, print } from '../table.js';

type WindowOptions = ClientOptions & { tenant?: string; from?: string; to?: string; json?: boolean };

const usd = (n: number | null) =>
  n === null ? '—' : `${n < 0 ? '−' : ''}$${Math.round(Math.abs(n)).toLocaleString('en-US')}`;
const days = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)} d`);
const percent = (n: number | null, digits = 1) => (n === null ? '—' : `${(n * 100).toFixed(digits)} %`);
const date = (iso: string | null) => (iso === null ? '—' : iso.slice(0, 10));
const arrows = { improving: '▲', stable: '▶', declining: '▼' } as const;
const trendText = (t: { trend: keyof typeof arrows | null; change: number | null }) =>
  t.trend === null
    ? '  (no previous data)'
    : `  ${arrows[t.trend]} ${t.trend}${t.change === null ? '' : ` ${t.change > 0 ? '+' : ''}${(t.change * 100).toFixed(1)} %`}`;
const durationsText = (d: Durations) =>
  `median ${days(d.medianDays)} · p90 ${days(d.p90Days)} · n=${d.count}`;
const windowText = (w: { from: string; to: string }) => `${date(w.from)} → ${date(w.to)} UTC`;

export function renderDecisions(d: DecisionInsights): string {
  const v = d.velocity;
  const stageRow = (
    s: Record<'proposedToApproved' | 'approvedToCompleted' | 'proposedToCompleted', Durations>,
  ) => ({
    'proposed→approved (median/p90)': `${days(s.proposedToApproved.medianDays)} / ${days(s.proposedToApproved.p90Days)}`,
    'approved→completed': `${days(s.approvedToCompleted.medianDays)} / ${days(s.approvedToCompleted.p90Days)}`,
    'proposed→completed': `${days(s.proposedToCompleted.medianDays)} / ${days(s.proposedToCompleted.p90Days)}`,
    completed: s.proposedToCompleted.count,
  });
  const stageColumns = [
    'proposed→approved (median/p90)',
    'approved→completed',
    'proposed→completed',
    'completed',
  ];
  const t = d.totals;
  return [
    `Decisions · ${windowText(d.window)}${d.truncated ? ' · only the most recently active decisions were read' : ''}`,
    '',
    'Velocity',
    `  proposed → approved   ${durationsText(v.proposedToApproved)}`,
    `  approved → completed  ${durationsText(v.approvedToCompleted)}`,
    `  proposed → completed  ${durationsText(v.proposedToCompleted)}`,
    '',
    formatTable(
      v.byMonth.map((m) => ({ month: m.month, ...stageRow(m) })),
      ['month', ...stageColumns],
    ),
    '',
    formatTable(
      v.byType.map((m) => ({ type: m.decisionType, ...stageRow(m) })),
      ['type', ...stageColumns],
    ),
    '',
    `Impact of ${t.decisions} decision(s): revenue expected ${usd(t.expectedRevenueImpact)}, actual ${usd(t.actualRevenueImpact)} · cost expected ${usd(t.expectedCostImpact)}, actual ${usd(t.actualCostImpact)} · ROI realized ${percent(t.realizedRoi, 0)}`,
    '',
    formatTable(
      d.decisions.map((r) => ({
        tenant: r.tenantId,
        decision: r.title ?? r.decisionId,
        status: r.status ?? '—',
        'revenue exp.': usd(r.expectedRevenueImpact),
        'revenue act.': usd(r.actualRevenueImpact),
        'cost exp.': usd(r.expectedCostImpact),
        'cost act.': usd(r.actualCostImpact),
        'ROI exp.': percent(r.expectedRoi, 0),
        'ROI real.': percent(r.realizedRoi, 0),
      })),
      [
        'tenant',
        'decision',
        'status',
        'revenue exp.',
        'revenue act.',
        'cost exp.',
        'cost act.',
        'ROI exp.',
        'ROI real.',
      ],
    ),
    '',
    `Overdue reviews (${d.overdueReviews.length})`,
    ...(d.overdueReviews.length
      ? [
          formatTable(
            d.overdueReviews.map((o) => ({
              tenant: o.tenantId,
              decision: o.title ?? o.decisionId,
              status: o.status ?? '—',
              'review was due': date(o.nextReviewAt),
              overdue: days(o.daysOverdue),
            })),
            ['tenant', 'decision', 'status', 'review was due', 'overdue'],
          ),
        ]
      : ['  none']),
  ].join('\n');
}

export function renderBenchmarks(b: Benchmarks): string {
  const value = (unit: string, n: number | null) =>
    n === null ? '—' : unit === 'usd' ? usd(n) : unit === 'percent' ? `${n.toFixed(2)} %` : n.toFixed(1);
  const lines = [`Benchmarks · ${windowText(b.window)} · percentile among all tenants (higher is better)`];
  for (const k of b.kpis) {
    lines.push('', `${k.label} (${k.compared} tenant(s) compared)`);
    if (k.distribution) {
      const d = k.distribution;
      lines.push(
        `  p10 ${value(k.unit, d.p10)} · p25 ${value(k.unit, d.p25)} · p50 ${value(k.unit, d.p50)} · p75 ${value(k.unit, d.p75)} · p90 ${value(k.unit, d.p90)}`,
      );
    }
    lines.push(
      formatTable(
        k.tenants.map((t) => ({
          tenant: t.tenantId,
          value: value(k.unit, t.value),
          percentile: t.percentile === null ? '—' : `p${Math.round(t.percentile)}`,
        })),
        ['tenant', 'value', 'percentile'],
      ),
    );
  }
  return lines.join('\n');
}

export function renderImpact(i: BusinessImpact): string {
  const c = i.captureSuccess;
  const s = i.savingsRealization;
  return [
    `Business impact · ${windowText(i.window)} vs ${windowText(i.previousWindow)}`,
    '',
    `Decision velocity (proposed → completed)  ${durationsText(i.decisionVelocity.current)}  [${days(i.decisionVelocity.previous.medianDays)}]${trendText(i.decisionVelocity)}`,
    `Issue identification: first event → alert  ${durationsText(i.identification.toAlert.current)}  [${days(i.identification.toAlert.previous.medianDays)}]${trendText(i.identification.toAlert)}`,
    `                      first event → ack    ${durationsText(i.identification.toAcknowledge.current)}  [${days(i.identification.toAcknowledge.previous.medianDays)}]${trendText(i.identification.toAcknowledge)}`,
    `Savings realized  ${percent(s.current.share)} of ${usd(s.current.identified)} identified (${usd(s.current.realized)})  [${percent(s.previous.share)}]${trendText(s)}`,
    `Capture success   ${percent(c.current.rate, 2)} of ${c.current.received.toLocaleString('en-US')} events (target ${percent(c.target, 1)})  [${percent(c.previous.rate, 2)}]${trendText(c)}`,
    `                  accepted ${c.current.accepted.toLocaleString('en-US')} · quarantined ${c.current.quarantined.toLocaleString('en-US')} · refused ${c.current.refused.toLocaleString('en-US')} · unreadable requests ${c.current.refusedRequests.toLocaleString('en-US')}`,
  ].join('\n');
}

const windowOptions = (command: Command, defaultDays: number) =>
  withClientOptions(
    command
      .option('--tenant <ids>', 'only these tenants (comma-separated; default all you may see)')
      .option('--from <time>', `window start (ISO 8601 or epoch ms; default ${defaultDays} days before --to)`)
      .option('--to <time>', 'window end (default now)')
      .option('--json', 'machine output'),
  );

function verb<T>(
  insights: Command,
  name: string,
  description: string,
  defaultDays: number,
  render: (answer: T) => string,
): void {
  windowOptions(insights.command(name).description(description), defaultDays).action(
    async (options: WindowOptions) => {
      const params = new URLSearchParams();
      for (const key of ['tenant', 'from', 'to'] as const) if (options[key]) params.set(key, options[key]);
      const answer = await ApiClient.from(options).request<T>('GET', `/api/insights/${name}?${params}`);
      print(options.json ?? false, answer, () => render(answer));
    },
  );
}

/** Adds `decisions`, `benchmarks` and `impact` to the `insights` command. */
export function addInsightOutcomeCommands(insights: Command): void {
  verb(
    insights,
    'decisions',
    'Decision velocity, expected vs actual impact and ROI, overdue reviews',
    90,
    renderDecisions,
  );
  verb(insights, 'benchmarks', "Each tenant's KPIs as percentiles among all tenants", 30, renderBenchmarks);
  verb(
    insights,
    'impact',
    'Business impact measured by Pulse, each number vs the previous period',
    30,
    renderImpact,
  );
}
