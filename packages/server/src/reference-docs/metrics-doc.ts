import { explainedMetrics, metricIds } from '../analytics/explained-metrics.js';
import { cell } from './markdown.js';

const units = {
  usd: 'In dollars.',
  score: 'In points.',
  count: 'A count.',
  rate: 'A fraction from 0 to 1.',
} as const;
const combines = {
  sum: 'their amounts add up to',
  count: 'counted, they make the number of',
  mean: 'the mean of their amounts is',
} as const;

/** docs/metrics.md: what each number of the summary means, from the words that sit beside its computation. */
export function renderMetricsDoc(): string {
  const sections = metricIds.flatMap((id) => {
    const m = explainedMetrics[id];
    const events = m.events
      ? `Events: every \`${m.events.rule.event}\` that counts toward it; ${combines[m.events.combine]} the ${m.events.yields}.`
      : 'Events: none of its own; it is made of the numbers it lists as inputs.';
    return [`## ${m.label} (\`${id}\`)`, '', `${units[m.unit]} ${cell(m.formula)}`, '', events, ''];
  });
  return [
    '# What each number means',
    '',
    '<!-- Generated from packages/server/src/analytics/explained-metrics.ts by `npm run docs:metrics`; do not edit. -->',
    '',
    'Every number of the executive summary can be opened to show how it was computed: its formula in plain',
    'words, its inputs with their values (an input that is a number of its own opens its own explanation), and',
    'the events behind it, each with what it adds. The words below are the ones the explanation shows; they sit',
    'beside the code that computes the number.',
    '',
    '- **Dashboard**: click the title of a KPI card, the business health title or a health component, a day of',
    '  a chart (revenue, savings, efficiency, deliverability; or focus the chart, choose a day with the arrow',
    '  keys and press Enter) or a number of the performance report (revenue, savings, performance score,',
    "  efficiency score and decisions: each is the summary's number for that row's tenant over the report's",
    '  window). The explanation opens in a panel (Esc closes it); its address reopens the same explanation,',
    '  and its events page 100 at a time with their running total.',
    '- **API**: `GET /api/explain?metric=<id>&tenant=…&from=…&to=…` answers the label, unit, value, formula,',
    '  window, inputs and an `eventsQuery` link; `GET /api/explain/events?metric=<id>&…&limit=…&cursor=…` pages',
    '  the events (at most 500 a page, newest first; pass `nextCursor` back as `cursor`). The window defaults to',
    '  the last 30 days and spans at most 400 days. A key or user scoped to some tenants sees only those; an',
    '  unknown metric is refused with 400 and the list of valid ids.',
    '- **CLI**: `pulse explain <id> --tenant … [--from … --to …] [--events [--limit n] [--cursor c]] [--json]`.',
    '',
    ...sections,
  ].join('\n');
}
