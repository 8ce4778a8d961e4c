import type { Series } from '../types';
import { num, pct } from '../format';

/** Deliverability of the window per email provider, each rate against its limit. */
export function ProviderTable({ series }: { series: Series }) {
  const { providers, thresholds } = series;
  if (providers.length === 0)
    return (
      <p class="empty" data-testid="providers-empty">
        No provider data in this window.
      </p>
    );
  const over = (rate: number | null, limit: number) => rate !== null && rate > limit;
  return (
    <div class="providers">
      <table data-testid="providers">
        <caption>By provider, over the window (latest risk)</caption>
        <thead>
          <tr>
            <th scope="col">Provider</th>
            <th scope="col">Emails</th>
            <th scope="col">
              Bounces <small>limit {pct(thresholds.bounceRate, 0)}</small>
            </th>
            <th scope="col">
              Spam <small>limit {pct(thresholds.spamRate, 1)}</small>
            </th>
            <th scope="col">Risk</th>
          </tr>
        </thead>
        <tbody>
          {providers.map((p) => {
            const bounceOver = over(p.bounceRate, thresholds.bounceRate);
            const spamOver = over(p.spamRate, thresholds.spamRate);
            return (
              <tr key={p.provider} data-testid={`provider-${p.provider}`}>
                <th scope="row">{p.provider}</th>
                <td data-value={p.emails}>{num(p.emails)}</td>
                <td data-value={p.bounceRate ?? ''} class={bounceOver ? 'over' : undefined}>
                  {pct(p.bounceRate, 2)}
                  {bounceOver && ' over'}
                </td>
                <td data-value={p.spamRate ?? ''} class={spamOver ? 'over' : undefined}>
                  {pct(p.spamRate, 3)}
                  {spamOver && ' over'}
                </td>
                <td>{p.riskLevel ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
