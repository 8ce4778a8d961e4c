import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addUser,
  assertDashboardBuilt,
  capture,
  ev,
  launchChromium,
  signIn,
} from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// The dashboard's honest states in real headless Chromium against a real server and DuckDB: a tenant without
// events says so (with the nearest names) instead of showing zeros, the tenant picker offers every tenant
// with events, and a lost live connection puts a banner across the page until it is back.

const TOKEN = 'phc_dashboard_states_token';
const EXEC = { email: 'ceo@pulse.test', password: 'honest numbers or none at all' };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the dashboard’s empty and error states', () => {
  let server: TestServer | null = null;
  let browser: Browser;
  const dataDir = temporaryDirectory('pulse-e2e-states-');
  let port: number;
  const pageErrors: string[] = [];

  const start = async (): Promise<TestServer> =>
    (server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN, PULSE_PORT: String(port) }, dataDir));
  const stop = async () => {
    const running = server;
    server = null;
    await running?.close();
  };
  const url = () => `http://127.0.0.1:${port}`;
  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, url(), EXEC);
    return page;
  };

  beforeAll(async () => {
    assertDashboardBuilt();
    port = await freePort();
    const running = await start();
    browser = await launchChromium();
    await addUser(running, EXEC);
    // Events, and not a single subscription: the picker must list them anyway.
    await capture(url(), TOKEN, [
      ev('revenue_impact_event', 'acme-corp', { impact_amount: 4200, impact_type: 'positive' }),
      ev('revenue_impact_event', 'globex', { impact_amount: 900, impact_type: 'negative' }),
      ev('$pageview', 'initech', { $current_url: 'https://initech.example/' }),
      ...[
        [1250.5, 240, 'implemented'],
        [80.25, 101.25, 'identified'],
      ].map(([amount, roi, type]) =>
        ev('cost_optimization_event', 'acme-corp', {
          savings_amount: amount,
          roi,
          optimization_type: type,
          optimization_category: 'infrastructure',
          savings_percentage: 12.5,
        }),
      ),
    ]);
    const subscribed = await running.api('/api/subscriptions/acme-corp', {
      method: 'PUT',
      body: {
        status: 'active',
        planName: 'Enterprise with a long plan name',
        priceMonthly: 1000,
        currentPeriodStart: '2026-11-15T00:00:00.000Z',
        currentPeriodEnd: '2026-12-15T00:00:00.000Z',
      },
    });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await stop();
  });

  it('says "No events for tenant X" with the nearest names, instead of a dashboard of zeros', async () => {
    const page = await newPage();
    await page.getByLabel('Tenant').fill('acme-crop');
    await page.getByLabel('Tenant').press('Enter');
    const notice = page.getByTestId('unknown-tenant');
    await notice.waitFor();
    expect(await notice.getByRole('heading').textContent()).toBe('No events for tenant acme-crop');
    expect(await page.getByTestId('health-score').count()).toBe(0);
    expect(await page.getByTestId('summary').count()).toBe(0);

    // The suggestion opens the tenant that has events.
    await notice.getByRole('link', { name: 'acme-corp' }).click();
    await page.getByTestId('summary').waitFor();
    expect(new URL(page.url()).pathname).toBe('/tenants/acme-corp');
    expect(await page.getByTestId('unknown-tenant').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('the tenant picker offers every tenant with events, subscription or not', async () => {
    const page = await newPage();
    const options = page.locator('#tenant-options option');
    await expect
      .poll(async () =>
        (await options.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).sort(),
      )
      .toEqual(['acme-corp', 'globex', 'initech']);
    await page.context().close();
  });

  it('shows report tables for people: inside the page, titled, one format per column, honest window', async () => {
    const context = await browser.newContext({ viewport: { width: 640, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, url(), EXEC);
    await page.goto(`${url()}/reports`);
    const table = page.getByTestId('report-performance-dashboard');
    await table.waitFor();

    // Wider than the phone: the table scrolls inside its box, and neither it nor the page is cut off.
    const fit = await table.evaluate((t) => {
      const wrap = t.parentElement as HTMLElement;
      const box = wrap.getBoundingClientRect();
      return {
        scrolls: wrap.scrollWidth > wrap.clientWidth,
        overflow: getComputedStyle(wrap).overflowX,
        right: box.right,
        viewport: document.documentElement.clientWidth,
        pageWidth: document.documentElement.scrollWidth,
      };
    });
    expect(fit.scrolls).toBe(true);
    expect(fit.overflow).toBe('auto');
    expect(fit.right).toBeLessThanOrEqual(fit.viewport);
    expect(fit.pageWidth).toBe(fit.viewport);

    const headings = await table.locator('th').allTextContents();
    expect(headings).toContain('Period start');
    expect(headings).toContain('Realized savings');
    for (const h of headings) expect(h).not.toMatch(/_/);
    const cells = async (column: string) => {
      const index = headings.indexOf(column);
      return table.locator(`tbody tr td:nth-child(${index + 1})`).allTextContents();
    };
    // A date column: with its year, without a time.
    expect(await cells('Period start')).toEqual(['Nov 15, 2026']);
    expect(await cells('Realized savings')).toEqual(['$1,251']);

    // A report over the chosen range: the range picker is the one to use.
    const range = page.getByLabel('Range');
    const shownRange = () => range.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent);
    expect(await shownRange()).toBe('Last 30 days');
    expect(await range.isEnabled()).toBe(true);

    // The cost report counts the month to date, whatever the range picker says, and its label says so; the
    // picker says so too (disabled, with why), so the page never shows two different periods.
    await page.getByRole('tab', { name: /cost optimization/i }).click();
    const cost = page.getByTestId('report-cost-optimization');
    await cost.waitFor();
    const label = (await page.getByTestId('report-window').textContent()) ?? '';
    expect(label).toMatch(/^Month to date: \w{3} 1, \d{4} – \w{3} \d{1,2}, \d{4} \(UTC\)/);
    await expect.poll(() => range.isDisabled()).toBe(true);
    expect(await shownRange()).toBe('Month to date');
    const why = await range.evaluate(
      (s) => document.getElementById(s.getAttribute('aria-describedby') ?? '')?.textContent,
    );
    expect(why).toContain(label.split(' · ')[0]);
    const costHeadings = await cost.locator('th').allTextContents();
    const roi = costHeadings.indexOf('Average ROI');
    expect(await cost.locator(`tbody tr td:nth-child(${roi + 1})`).allTextContents()).toEqual(['170.6']);

    // Back on a report over the range, and on another page, the picker chooses again.
    await page.getByRole('tab', { name: /performance dashboard/i }).click();
    await table.waitFor();
    await expect.poll(() => range.isEnabled()).toBe(true);
    expect(await shownRange()).toBe('Last 30 days');
    await page.getByRole('tab', { name: /cost optimization/i }).click();
    await expect.poll(() => range.isDisabled()).toBe(true);
    await page.getByRole('link', { name: 'Decisions' }).click();
    await expect.poll(() => range.isEnabled()).toBe(true);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('puts a "stale since HH:MM, reconnecting" banner across the page while the server is away', async () => {
    const page = await newPage();
    await page.waitForSelector('[data-testid=live-status]:has-text("Live")');
    expect(await page.getByTestId('stale-banner').count()).toBe(0);
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

    await stop();
    const banner = page.getByTestId('stale-banner');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toMatch(/stale since \d\d:\d\d/);
    expect(text).toContain('Reconnecting');
    // Across the page: as wide as the page's viewport (the window less its scroll bar).
    const box = await banner.boundingBox();
    expect(Math.round(box?.x ?? -1)).toBe(0);
    expect(Math.round(box?.width ?? 0)).toBe(await page.evaluate(() => document.documentElement.clientWidth));

    // Back on the same port: the page reconnects by itself and the banner goes.
    await start();
    await page.waitForSelector('[data-testid=live-status]:has-text("Live")', { timeout: 20_000 });
    await banner.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
