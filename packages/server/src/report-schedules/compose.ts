import type { ReportFormat, ReportSection } from '@pulse/api';
import { toCsv } from '../csv.js';
import type { ReportNotification } from '../alerts/types.js';
import { hasData, renderChart, type ChartImage } from './charts.js';
import { periodText } from './format.js';
import { renderHtml, renderText, type ReportDocument } from './render-html.js';
import type { PdfRenderer } from './render-pdf.js';
import { describeScope, type Tenants } from './scope.js';
import { buildSections } from './sections.js';
import type { ReportTable, SectionContext } from './section-types.js';

export type ComposeContext = Omit<SectionContext, 'tenants' | 'period' | 'now'> & {
  pdf: PdfRenderer;
  clock: () => number;
};

/** What a copy is made of: the schedule's choices, one recipient's tenants and the period. */
export interface CopyRequest {
  name: string;
  timezone: string;
  sections: readonly ReportSection[];
  formats: readonly ReportFormat[];
  tenants: Tenants;
  period: { from: number; to: number };
}

export interface RenderedCopy {
  document: ReportDocument;
  subject: string;
  text: string;
  /** The email body (charts as cid: parts), null when html is not among the formats. */
  html: string | null;
  /** The self-contained HTML (charts as data: URIs): the preview and the PDF's source. */
  standaloneHtml: string;
  attachments: ReportNotification['attachments'];
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'report';

const csvOf = (table: ReportTable) =>
  toCsv(
    table.columns.map((c) => c.key),
    table.rows.map((row) => table.columns.map((c) => row[c.key])),
  );

/**
 * One recipient's copy in every asked format, from sections read with that recipient's tenants only:
 * nothing in it (subject, body, charts, PDF, CSV, file names) is read or named outside that scope.
 */
export async function composeCopy(request: CopyRequest, context: ComposeContext): Promise<RenderedCopy> {
  const now = context.clock();
  const built = await buildSections(request.sections, {
    ...context,
    tenants: request.tenants,
    period: request.period,
    now,
  });
  const visual = request.formats.includes('html') || request.formats.includes('pdf');
  const charts = new Map<string, ChartImage>();
  if (visual)
    for (const chart of built.flatMap((s) => s.charts))
      if (hasData(chart)) charts.set(chart.id, renderChart(chart));
  const document: ReportDocument = {
    title: request.name,
    periodText: periodText(request.period, request.timezone),
    scopeText: describeScope(request.tenants),
    generatedAt: now,
    sections: built,
    charts,
    link: context.publicUrl,
  };
  const day = new Date(request.period.to).toISOString().slice(0, 10);
  const base = `${slug(request.name)}-${day}`;
  const attachments: ReportNotification['attachments'] = [];
  const html = request.formats.includes('html') ? renderHtml(document, 'cid') : null;
  if (html)
    for (const chart of charts.values())
      attachments.push({
        filename: `${chart.id}.png`,
        contentType: 'image/png',
        base64: chart.png.toString('base64'),
        cid: `${chart.id}@pulse`,
      });
  const standaloneHtml = renderHtml(document, 'data');
  if (request.formats.includes('pdf'))
    attachments.push({
      filename: `${base}.pdf`,
      contentType: 'application/pdf',
      base64: (await context.pdf.render(document, standaloneHtml)).toString('base64'),
      cid: null,
    });
  if (request.formats.includes('csv'))
    for (const table of built.flatMap((s) => s.tables))
      attachments.push({
        filename: `${table.name}-${day}.csv`,
        contentType: 'text/csv; charset=utf-8',
        base64: Buffer.from(csvOf(table), 'utf8').toString('base64'),
        cid: null,
      });
  return {
    document,
    subject: `${request.name}: ${periodText(request.period, request.timezone)}`,
    text: renderText(document),
    html,
    standaloneHtml,
    attachments,
  };
}
