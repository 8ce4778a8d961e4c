import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, ev, signIn, startDashboardTest } from './helpers/dashboard-browser.js';
import type { TestServer } from './helpers/pulse-server.js';

// A number of the dashboard opens into its explanation: formula, inputs, and the events behind it, paged;
// paged through to the end, the listed events add up exactly to the number on the card.

const TOKEN = 'phc_explain_e2e_token';
const T = `acme-${randomUUID().slice(0, 6)}`;
const OTHER = `globex-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'ceo@pulse.test', password: 'show me where it comes from' };
const DAY = 86_400_000;
const LOSSES = 230; // more than two pages of 100

/** A revenue impact of `tenant`, `daysAgo` days back. */
const impact = (tenant: string, daysAgo: number, type: 'positive' | 'negative', amount: number) => ({
  ...ev('revenue_impact_event', tenant, { impact_type: type, impact_amount: amount }),
  timestamp: new Date(Date.now() - daysAgo * DAY - 60_000).toISOString(),
});

/** An efficiency reading of T, `daysAgo` days back. */
const reading = (daysAgo: number, efficiency_metric: string, efficiency_score: number) => ({
  ...ev('operational_efficiency_event', T, { efficiency_metric, efficiency_score }),
  timestamp: new Date(Date.now() - daysAgo * DAY - 60_000).toISOString(),
});

/** Clicks "Show more" until the last page is listed; returns the listed amounts. */
async function pageThroughAll(page: Page): Promise<number[]> {
  const dialog = page.getByTestId('explain');
  const total = dialog.getByTestId('explain-total');
  await total.waitFor();
  while ((await total.getAttribute('data-complete')) !== 'true') {
    const before = await dialog.getByTestId('explain-event').count();
    await dialog.getByTestId('explain-more').click();
    await expect.poll(() => dialog.getByTestId('explain-event').count()).toBeGreaterThan(before);
  }
  return dialog
    .getByTestId('explain-event')
    .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-amount'))));
}

describe('explaining a number in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ server, browser } = await startDashboardTest(TOKEN, EXEC));
    const events = [];
    for (let i = 0; i < LOSSES; i++) events.push(impact(i % 2 ? T : OTHER, i % 20, 'negative', 100 + i));
    for (let i = 0; i < 12; i++) events.push(impact(T, i, 'positive', 5_000 + i));
    // The latest reading of each metric counts: (90 + 70) / 2 = 80, not the mean of all three.
    events.push(reading(3, 'delivery', 40), reading(1, 'delivery', 90), reading(2, 'support', 70));
    await capture(server.url, TOKEN, events);
    for (const tenant of [T, OTHER]) {
      const subscribed = await server.api(`/api/subscriptions/${tenant}`, {
        method: 'PUT',
        body: { status: 'active', planName: 'pro', priceMonthly: 100 },
      });
      expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(200);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens a KPI card, pages through all its events, and they sum to the card', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);
    const card = page.getByTestId('metric-negativeRevenueImpact');
    const shown = Number(await card.getAttribute('data-value'));
    expect(shown).toBeGreaterThan(0);

    await card.getByRole('link', { name: 'Revenue at risk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revenue lost (at risk)' });
    await dialog.waitFor();
    expect(new URL(page.url()).searchParams.get('explain')).toBe('negativeRevenueImpact');
    expect(Number(await dialog.getByTestId('explain-value').getAttribute('data-value'))).toBe(shown);
    expect(await dialog.getByTestId('explain-formula').textContent()).toContain('impact_amount');

    const amounts = await pageThroughAll(page);
    expect(amounts).toHaveLength(LOSSES);
    expect(amounts.reduce((s, a) => s + a, 0)).toBe(shown);
    expect(Number(await dialog.getByTestId('explain-total').getAttribute('data-value'))).toBe(shown);

    // Esc closes it and gives the focus back to the card's link.
    await page.keyboard.press('Escape');
    // The URL first (closing navigates), then the panel: a re-render may detach the open panel for a moment.
    await page.waitForURL((url) => !url.searchParams.has('explain'));
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Revenue at risk');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('reopens from its link, follows an input to its own explanation, and explains one day of a chart', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await signIn(page, server.url, EXEC);
    await page.getByTestId('metric-netRevenueImpact').getByRole('link').click();
    const net = page.getByRole('dialog', { name: 'Net revenue impact' });
    await net.getByTestId('explain-total').waitFor();
    const link = await net.getByTestId('explain-link').getAttribute('href');
    const value = await net.getByTestId('explain-value').getAttribute('data-value');

    await page.goto(`${server.url}${link}`);
    const reopened = page.getByRole('dialog', { name: 'Net revenue impact' });
    expect(await reopened.getByTestId('explain-value').getAttribute('data-value')).toBe(value);
    await reopened.getByRole('link', { name: 'Revenue gained or protected' }).click();
    const gained = page.getByRole('dialog', { name: 'Revenue gained or protected' });
    await gained.getByTestId('explain-total').waitFor();
    const gains = await pageThroughAll(page);
    expect(gains).toHaveLength(12);
    expect(gains.reduce((s, a) => s + a, 0)).toBe(
      Number(await gained.getByTestId('explain-value').getAttribute('data-value')),
    );
    await gained.getByRole('button', { name: 'Close the explanation' }).click();
    await gained.waitFor({ state: 'detached' });

    // A click on the revenue chart explains that one bucket.
    const chart = page.locator('section[aria-labelledby=ch-revenue] .u-over');
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('the revenue chart is not laid out');
    await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2);
    const day = page.getByRole('dialog', { name: 'Net revenue impact' });
    await day.getByTestId('explain-total').waitFor();
    const q = new URL(page.url()).searchParams;
    const span = Date.parse(q.get('explainTo') ?? '') - Date.parse(q.get('explainFrom') ?? '');
    expect(span).toBeGreaterThan(0);
    expect(span).toBeLessThanOrEqual(DAY);
    const dayAmounts = await pageThroughAll(page);
    expect(dayAmounts.length).toBeGreaterThan(0);
    expect(dayAmounts.reduce((s, a) => s + a, 0)).toBe(
      Number(await day.getByTestId('explain-value').getAttribute('data-value')),
    );

    // The keyboard does the same: Esc closes, the arrow keys move to the day before, Enter explains it.
    await page.keyboard.press('Escape');
    await day.waitFor({ state: 'detached' });
    const revenueChart = page.getByRole('img', { name: /^Revenue impact per day/ });
    await revenueChart.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    const dayBefore = page.getByRole('dialog', { name: 'Net revenue impact' });
    await dayBefore.getByTestId('explain-total').waitFor();
    const before = new URL(page.url()).searchParams;
    expect(before.get('explainTo')).toBe(q.get('explainFrom'));
    await context.close();
  });

  it("explains a report cell for that row's tenant, over the report's window", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await signIn(page, server.url, EXEC);
    await page.getByRole('link', { name: 'Reports' }).click();
    const row = page.getByTestId('report-performance-dashboard').locator('tbody tr', { hasText: T });
    await row.getByRole('link').first().click();
    const dialog = page.getByRole('dialog', { name: 'Revenue lost (at risk)' });
    await dialog.getByTestId('explain-total').waitFor();
    expect(new URL(page.url()).searchParams.get('explainTenant')).toBe(T);
    const amounts = await pageThroughAll(page);
    const expected = Array.from({ length: LOSSES }, (_, i) => (i % 2 ? 100 + i : 0));
    expect(amounts.reduce((s, a) => s + a, 0)).toBe(expected.reduce((s, a) => s + a, 0));
    expect(Number(await dialog.getByTestId('explain-value').getAttribute('data-value'))).toBe(
      expected.reduce((s, a) => s + a, 0),
    );

    // The efficiency cell opens the summary's efficiency score for that tenant: the same number.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const cell = row.locator('a[href*="explain=operationalEfficiencyScore"]');
    expect(Number(await cell.textContent())).toBe(80);
    await cell.click();
    const efficiency = page.getByRole('dialog', { name: 'Operational efficiency score' });
    await efficiency.getByTestId('explain-total').waitFor();
    expect(new URL(page.url()).searchParams.get('explainTenant')).toBe(T);
    expect(Number(await efficiency.getByTestId('explain-value').getAttribute('data-value'))).toBe(80);
    expect((await pageThroughAll(page)).sort()).toEqual([70, 90]);
    await context.close();
  });

  it('stays readable on a 390 px phone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await signIn(page, server.url, EXEC);
    await page.getByTestId('explain-health-revenue').click();
    const dialog = page.getByRole('dialog', { name: 'Revenue health' });
    await dialog.getByTestId('explain-total').waitFor();
    const fits = await dialog.evaluate((el) => ({
      width: el.getBoundingClientRect().width,
      overflow: el.scrollWidth - el.clientWidth,
    }));
    expect(fits.width).toBeLessThanOrEqual(390);
    expect(fits.overflow).toBe(0);
    await context.close();
  });
});
