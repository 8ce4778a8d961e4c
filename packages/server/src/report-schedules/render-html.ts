import type { ChartImage } from './charts.js';
import { alignsRight, cell, dateTime, type ValueKind } from '@pulse/events/format';
import { escapeHtml as h } from './format.js';
import type { ReportTable, SectionContent } from './section-types.js';

/** One recipient's report, ready to render in any format. */
export interface ReportDocument {
  title: string;
  periodText: string;
  scopeText: string;
  generatedAt: number;
  sections: SectionContent[];
  /** Charts by id, rasterized. */
  charts: Map<string, ChartImage>;
  link: string | null;
}

/** How charts are referenced: `cid:` parts of the email, or data: URIs (PDF, preview). */
export type ImageMode = 'cid' | 'data';

/** Tables longer than this are cut in the HTML and the PDF (the CSV has every row). */
export const MAX_HTML_ROWS = 50;

const css = {
  body: 'margin:0;padding:0;background:#f1f5f9;font-family:Helvetica,Arial,sans-serif;color:#0f172a',
  page: 'max-width:680px;margin:0 auto;background:#ffffff;padding:24px',
  h1: 'font-size:22px;margin:0 0 4px 0',
  meta: 'font-size:13px;color:#475569;margin:0 0 2px 0',
  h2: 'font-size:17px;margin:28px 0 6px 0;border-bottom:2px solid #2563eb;padding-bottom:4px',
  note: 'font-size:12px;color:#64748b;margin:0 0 10px 0',
  metric: 'padding:8px 10px;border:1px solid #e2e8f0;vertical-align:top',
  label: 'font-size:12px;color:#475569',
  value: 'font-size:18px;font-weight:bold',
  previous: 'font-size:12px;color:#64748b',
  // A wide table scrolls inside its box where the mail client can, and wraps its text everywhere else (PDF).
  wrap: 'overflow-x:auto;max-width:100%;margin:6px 0 12px 0',
  table: 'border-collapse:collapse;width:100%;font-size:12px',
  th: 'text-align:left;vertical-align:bottom;background:#f8fafc;border-bottom:1px solid #cbd5e1;padding:5px 6px',
  td: 'border-bottom:1px solid #e2e8f0;padding:5px 6px;overflow-wrap:anywhere',
  num: 'text-align:right;white-space:nowrap;overflow-wrap:normal',
} as const;

const imageSrc = (chart: ChartImage, mode: ImageMode) =>
  mode === 'cid' ? `cid:${chart.id}@pulse` : `data:image/png;base64,${chart.png.toString('base64')}`;

function tableHtml(table: ReportTable): string {
  if (!table.rows.length) return `<p style="${css.note}">${h(table.title)}: nothing in this period.</p>`;
  const shown = table.rows.slice(0, MAX_HTML_ROWS);
  const align = (kind: ValueKind) => (alignsRight(kind) ? css.num : '');
  const head = table.columns
    .map((c) => `<th style="${css.th};${alignsRight(c.kind) ? 'text-align:right' : ''}">${h(c.label)}</th>`)
    .join('');
  const body = shown
    .map(
      (row) =>
        `<tr>${table.columns
          .map((c) => `<td style="${css.td};${align(c.kind)}">${h(cell(row[c.key], c.kind))}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  const more =
    table.rows.length > shown.length
      ? `<p style="${css.note}">${table.rows.length - shown.length} more rows in the attached ${h(table.name)}.csv.</p>`
      : '';
  return `<p style="${css.label}"><b>${h(table.title)}</b></p><div style="${css.wrap}"><table role="table" style="${css.table}"><tr>${head}</tr>${body}</table></div>${more}`;
}

function sectionHtml(section: SectionContent, charts: Map<string, ChartImage>, mode: ImageMode): string {
  const metrics = section.metrics.length
    ? `<table role="presentation" style="border-collapse:collapse;width:100%;margin:6px 0 12px 0">${chunk(
        section.metrics,
        2,
      )
        .map(
          (pair) =>
            `<tr>${pair
              .map(
                (m) =>
                  `<td style="${css.metric};width:50%"><div style="${css.label}">${h(m.label)}</div><div style="${css.value}" data-metric="${h(m.label)}">${h(m.value)}</div>${
                    m.previous !== null
                      ? `<div style="${css.previous}">previous ${h(m.previous)} · ${h(m.trend ?? '')}</div>`
                      : ''
                  }</td>`,
              )
              .join('')}</tr>`,
        )
        .join('')}</table>`
    : '';
  const images = section.charts
    .map((c) => charts.get(c.id))
    .filter((c): c is ChartImage => c !== undefined)
    .map(
      (c) =>
        `<p style="${css.label}"><b>${h(c.title)}</b></p><img src="${imageSrc(c, mode)}" alt="${h(c.alt)}" width="560" style="max-width:100%;height:auto;display:block;margin:0 0 12px 0">`,
    )
    .join('');
  return `<h2 style="${css.h2}">${h(section.title)}</h2><p style="${css.note}">${h(section.note)}</p>${metrics}${images}${section.tables.map(tableHtml).join('')}`;
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/** The report as one HTML page with inline CSS only (mail clients drop <style> blocks and scripts). */
export function renderHtml(doc: ReportDocument, mode: ImageMode): string {
  const link = doc.link ? `<p style="${css.meta}"><a href="${h(doc.link)}">Open Pulse</a></p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${h(doc.title)}</title></head><body style="${css.body}"><div style="${css.page}">
<h1 style="${css.h1}">${h(doc.title)}</h1>
<p style="${css.meta}">Period: ${h(doc.periodText)}</p>
<p style="${css.meta}" data-scope>Scope: ${h(doc.scopeText)}</p>
<p style="${css.meta}">Generated ${h(dateTime(doc.generatedAt))}</p>${link}
${doc.sections.map((s) => sectionHtml(s, doc.charts, mode)).join('\n')}
</div></body></html>`;
}

/** The plain-text part of the email: the headline figures and the scope. */
export function renderText(doc: ReportDocument): string {
  const lines = [doc.title, `Period: ${doc.periodText}`, `Scope: ${doc.scopeText}`, ''];
  for (const section of doc.sections) {
    if (!section.metrics.length) continue;
    lines.push(section.title);
    for (const m of section.metrics)
      lines.push(
        `  ${m.label}: ${m.value}${m.previous !== null ? ` (previous ${m.previous}, ${m.trend})` : ''}`,
      );
    lines.push('');
  }
  if (doc.link) lines.push(`Open Pulse: ${doc.link}`);
  return lines.join('\n');
}
