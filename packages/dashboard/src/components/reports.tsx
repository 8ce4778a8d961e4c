import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { dateTime, label, money, num, text } from '../format';
import type { Report } from '../types';
import { Refusal, type Window } from './pages';
import { Tabs } from './tabs';

const reportNames = ['performance-dashboard', 'cost-optimization'] as const;

function cell(column: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (/savings|revenue|cost|amount/.test(column) && !/count|percentage/.test(column)) return money(v);
    return num(v, Number.isInteger(v) ? 0 : 2);
  }
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return dateTime(v);
  return text(v, JSON.stringify(v));
}

/** The two named reports as tables, with a CSV download of exactly what is shown. */
export function ReportsPage(props: { window: Window; tenant: string | null }) {
  const [name, setName] = useState<(typeof reportNames)[number]>('performance-dashboard');
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const params = {
    from: Math.round(props.window.from),
    to: Math.round(props.window.to),
    tenant: props.tenant ?? undefined,
  };
  useEffect(() => {
    // A new choice starts clean, and a slower answer to an earlier choice must not overwrite it.
    let cancelled = false;
    setReport(null);
    setError(null);
    api<Report>(`/api/reports/${name}${qs(params)}`)
      .then((r) => !cancelled && setReport(r))
      .catch(
        (e: unknown) =>
          !cancelled && setError(e instanceof ApiError ? e : new ApiError(0, 'network', String(e))),
      );
    return () => {
      cancelled = true;
    };
  }, [name, params.from, params.to, params.tenant]);
  return (
    <main id="main" class="page">
      <h1>Reports</h1>
      <Tabs
        id="report"
        label="Report"
        keys={reportNames}
        selected={name}
        onSelect={setName}
        tab={(n) => label(n.replace('-', ' '))}
        aside={
          <a
            class="button secondary download"
            href={`/api/reports/${name}${qs({ ...params, format: 'csv' })}`}
            download={`${name}.csv`}
          >
            Download CSV
          </a>
        }
      >
        {error && <Refusal error={error} what={`the ${name} report`} />}
        {!report && !error && <p class="loading">Loading…</p>}
        {report && (
          <section class="card">
            <h2>{report.title}</h2>
            <p class="note">
              {dateTime(report.window.from)} – {dateTime(report.window.to)} · {report.rows.length} rows
            </p>
            <div class="table-wrap">
              <table data-testid={`report-${report.name}`}>
                <thead>
                  <tr>
                    {report.columns.map((c) => (
                      <th key={c} scope="col">
                        {label(c)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.rows.map((row, i) => (
                    <tr key={i}>
                      {report.columns.map((c) => (
                        <td key={c} class={typeof row[c] === 'number' ? 'num' : ''}>
                          {cell(c, row[c])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      </Tabs>
    </main>
  );
}
