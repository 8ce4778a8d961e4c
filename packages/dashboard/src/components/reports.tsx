import { alignsRight, cell } from '@pulse/events/format';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { label } from '../format';
import type { Report } from '../types';
import { reportCellHref } from './explain';
import { Refusal, type Window } from './pages';
import type { FixedWindow } from './pickers';
import { Tabs } from './tabs';

const reportNames = ['performance-dashboard', 'cost-optimization'] as const;

/** A report whose window is not the chosen range, as the range picker names it. */
function fixedWindowOf(report: Report): FixedWindow | null {
  if (report.window.kind === 'range') return null;
  return {
    name: 'Month to date',
    why: `This report has its own period (${report.window.label}); the range applies to the other reports.`,
  };
}

/** The two named reports as tables for people (titled, formatted per column), with a CSV download of the raw rows. */
export function ReportsPage(props: {
  window: Window;
  tenant: string | null;
  /** Tells the range picker when the shown report covers a period of its own. */
  onFixedWindow: (fixed: FixedWindow | null) => void;
}) {
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
  useEffect(() => {
    if (report) props.onFixedWindow(fixedWindowOf(report));
    else if (error) props.onFixedWindow(null);
  }, [report, error]);
  useEffect(() => () => props.onFixedWindow(null), []);
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
            <p class="note" data-testid="report-window">
              {report.window.label} · {report.rows.length} {report.rows.length === 1 ? 'row' : 'rows'}
            </p>
            <div class="table-wrap">
              <table data-testid={`report-${report.name}`}>
                <thead>
                  <tr>
                    {report.columnDisplay.map((c) => (
                      <th key={c.name} scope="col" class={alignsRight(c.kind) ? 'num' : ''}>
                        {c.title}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {report.rows.map((row, i) => (
                    <tr key={i}>
                      {report.columnDisplay.map((c) => {
                        const href = reportCellHref(report, c.name, row);
                        const shown = cell(row[c.name], c.kind);
                        return (
                          <td key={c.name} class={alignsRight(c.kind) ? 'num' : ''}>
                            {href ? <a href={href}>{shown}</a> : shown}
                          </td>
                        );
                      })}
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
