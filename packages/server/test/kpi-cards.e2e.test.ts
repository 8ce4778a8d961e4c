import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDashboardBuilt, capture, ev, launchChromium, signIn } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// Each KPI card shows one quantity: its headline, its previous-window value and its change are all of that
// quantity, and they equal GET /api/summary for the window the page asked for.

const TOKEN = 'phc_kpi_cards_e2e_token';
const T = `acme-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'cfo@pulse.test', password: 'one number per card, please' };
const DAY = 86_400_000;

/** An event of the previous default window (the 30 days before the last 30). */
const earlier = (event: string, properties: Record<string, unknown>) => ({
  ...ev(event, T, properties),
  timestamp: new Date(Date.now() - 45 * DAY).toISOString(),
});

interface Comparison {
  current: number | null;
  previous: number | null;
  change: number | null;
  basis: 'relative' | 'absolute';
}
interface SummaryBody {
  keyMetrics: Record<string, number | null>;
  trendAnalysis: Record<'revenue' | 'cost' | 'efficiency', Comparison>;
}

describe('KPI cards in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    assertDashboardBuilt();
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    browser = await launchChromium();
    const created = await server.api('/api/users', { body: { ...EXEC, role: 'executive' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Gross gains rise while the net falls: a card mixing the two would show a rise with a falling arrow.
    await capture(server.url, TOKEN, [
      earlier('revenue_impact_event', { impact_amount: 1_000_000, impact_type: 'positive' }),
      earlier('revenue_impact_event', { impact_amount: 100_000, impact_type: 'negative' }),
      earlier('cost_optimization_event', { savings_amount: 40_000, optimization_type: 'implemented' }),
      earlier('operational_efficiency_event', { efficiency_metric: 'uptime', efficiency_score: 70 }),
      ev('revenue_impact_event', T, { impact_amount: 1_500_000, impact_type: 'positive' }),
      ev('revenue_impact_event', T, { impact_amount: 750_000, impact_type: 'negative' }),
      ev('cost_optimization_event', T, { savings_amount: 55_000, optimization_type: 'implemented' }),
      ev('cost_optimization_event', T, { savings_amount: 8_000, optimization_type: 'identified' }),
      ev('operational_efficiency_event', T, { efficiency_metric: 'uptime', efficiency_score: 82.5 }),
      ev('strategic_decision_event', T, {
        decision_type: 'pricing',
        decision_title: 'Tiers',
        status: 'approved',
      }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows, per card, a value, previous value and change of the same quantity, as /api/summary does', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);
    const summaryEl = page.getByTestId('summary');
    const from = await summaryEl.getAttribute('data-from');
    const to = await summaryEl.getAttribute('data-to');
    const api = await server.api<SummaryBody>(`/api/summary?from=${from}&to=${to}`);
    expect(api.status).toBe(200);
    const { keyMetrics: k, trendAnalysis: t } = api.body;
    expect(t.revenue.previous).toBe(900_000);

    // Every card the page shows, and which quantity of the answer it is.
    const compared: Record<string, Comparison> = {
      netRevenueImpact: t.revenue,
      costOptimizationSavings: t.cost,
      operationalEfficiencyScore: t.efficiency,
    };
    const plain: Record<string, number | null | undefined> = {
      negativeRevenueImpact: k.negativeRevenueImpact,
      strategicDecisionsTracked: k.strategicDecisionsTracked,
    };
    const cards = page.locator('section.metrics > article.metric');
    const ids = (await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).map((id) =>
      String(id).replace(/^metric-/, ''),
    );
    expect(ids.sort()).toEqual([...Object.keys(compared), ...Object.keys(plain)].sort());

    const attr = async (id: string, name: string) =>
      page.getByTestId(`metric-${id}`).getAttribute(`data-${name}`);
    const numberOf = (v: string | null) => (v === null || v === '' ? null : Number(v));
    for (const [id, cmp] of Object.entries(compared)) {
      const value = numberOf(await attr(id, 'value'));
      const previous = numberOf(await attr(id, 'previous'));
      const change = numberOf(await attr(id, 'change'));
      expect({ id, value, previous, change }).toEqual({
        id,
        value: cmp.current,
        previous: cmp.previous,
        change: cmp.change,
      });
      expect(value, id).not.toBeNull();
      expect(previous, id).not.toBeNull();
      const expected =
        cmp.basis === 'relative' ? (value! - previous!) / Math.abs(previous!) : value! - previous!;
      expect(change, id).toBeCloseTo(expected, 9);
      // The shown change is that same number, in the unit of its basis.
      const shown = (await page.getByTestId(`metric-${id}`).locator('.trend').textContent()) ?? '';
      const sign = expected >= 0 ? '+' : '';
      expect(shown, id).toContain(
        cmp.basis === 'relative'
          ? `${sign}${(expected * 100).toFixed(1)} %`
          : `${sign}${expected.toFixed(1)} pts`,
      );
    }
    for (const [id, value] of Object.entries(plain)) {
      expect(numberOf(await attr(id, 'value')), id).toBe(value);
      expect(await attr(id, 'previous'), id).toBeNull();
      expect(await page.getByTestId(`metric-${id}`).locator('.trend').count(), id).toBe(0);
    }

    // Money reads in one abbreviation style on every card, headline and previous alike.
    const net = page.getByTestId('metric-netRevenueImpact');
    expect(await net.locator('h3').textContent()).toBe('Net revenue impact');
    expect(await net.locator('.value').textContent()).toBe('$750K');
    expect(await net.locator('.previous').textContent()).toBe(' · previous window $900K');
    expect(await page.getByTestId('metric-costOptimizationSavings').locator('.value').textContent()).toBe(
      '$55K',
    );
    expect(await page.getByTestId('metric-negativeRevenueImpact').locator('.value').textContent()).toBe(
      '$750K',
    );

    // A live event moves the net card's value, and its change follows the same value; the previous stays.
    await page.waitForSelector('[data-testid=live-status]:has-text("Live")');
    await capture(server.url, TOKEN, [
      ev('revenue_impact_event', T, { impact_amount: 300_000, impact_type: 'positive' }),
    ]);
    await expect
      .poll(async () => numberOf(await attr('netRevenueImpact', 'value')), { timeout: 10_000 })
      .toBe(1_050_000);
    expect(numberOf(await attr('netRevenueImpact', 'previous'))).toBe(900_000);
    expect(numberOf(await attr('netRevenueImpact', 'change'))).toBeCloseTo(150_000 / 900_000, 9);
    expect(await net.locator('.trend').textContent()).toContain('+16.7 %');
    expect(await net.locator('.value').textContent()).toBe('$1.1M');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
