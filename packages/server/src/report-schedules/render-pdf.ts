import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { PdfEngineMissingError } from '../errors.js';
import { dateTime } from '@pulse/events/format';
import { escapeHtml as h } from './format.js';
import type { ReportDocument } from './render-html.js';

/** Chromium's header/footer templates: small print, their own inline styles (the page's CSS does not apply). */
const small = 'font-size:8px;color:#475569;width:100%;padding:0 12mm;font-family:Helvetica,Arial,sans-serif';

/**
 * Report PDFs printed by headless Chromium (the engine that renders the HTML copy, so both show the same
 * layout), with the period and scope in every page's header and the page number and generation time in its
 * footer. playwright-core and Chromium are loaded only when a PDF is asked for; one browser serves a whole run.
 */
export class PdfRenderer {
  private browser: Promise<Browser> | null = null;

  constructor(private readonly chromiumPath: string) {}

  private launch(): Promise<Browser> {
    if (!existsSync(this.chromiumPath)) throw new PdfEngineMissingError(this.chromiumPath);
    this.browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({
        executablePath: this.chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      }),
    );
    this.browser.catch(() => {
      this.browser = null;
    });
    return this.browser;
  }

  /** `html` must be self-contained (images as data: URIs): the page loads nothing from the network. */
  async render(doc: ReportDocument, html: string): Promise<Buffer> {
    const browser = await this.launch();
    const page = await browser.newPage();
    try {
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '18mm', bottom: '16mm', left: '10mm', right: '10mm' },
        displayHeaderFooter: true,
        headerTemplate: `<div style="${small}"><span>${h(doc.title)}</span> · <span>${h(doc.periodText)}</span> · <span>${h(doc.scopeText)}</span></div>`,
        footerTemplate: `<div style="${small};display:flex;justify-content:space-between"><span>Generated ${h(dateTime(doc.generatedAt))}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
      });
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (browser) await (await browser.catch(() => null))?.close();
  }
}
