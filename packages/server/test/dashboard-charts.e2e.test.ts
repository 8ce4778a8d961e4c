import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, ev, signIn, startDashboardTest } from './helpers/dashboard-browser.js';
import type { TestServer } from './helpers/pulse-server.js';

// The overview's charts in real headless Chromium show every value they are given: a loss sent live for
// today is drawn whole inside the plot, colours follow the theme and stay with their series, legends show
// values rather than dashes, axes read in one style, and cards are as tall as what they hold.

const TOKEN = 'phc_dashboard_charts_token';
const A = `acme-${randomUUID().slice(0, 6)}`;
const B = `globex-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'ceo@pulse.test', password: 'show me every bar, please' };
const DAY = 86_400_000;
const LOSS = 25_000;

const daysAgo = <T extends { timestamp: string }>(days: number, event: T): T => ({
  ...event,
  timestamp: new Date(Date.now() - days * DAY).toISOString(),
});

/** Nine metrics for A, all but "uptime" healthy; three for B, where "backlog" is weaker than "uptime". */
const efficiency = [
  ...['uptime', 'latency', 'tickets', 'billing', 'deploys', 'onboarding', 'support', 'churn', 'renewals'].map(
    (metric, i) =>
      ev('operational_efficiency_event', A, { efficiency_metric: metric, efficiency_score: 50 + i * 5 }),
  ),
  ev('operational_efficiency_event', B, { efficiency_metric: 'backlog', efficiency_score: 40 }),
  ev('operational_efficiency_event', B, { efficiency_metric: 'uptime', efficiency_score: 52 }),
  ev('operational_efficiency_event', B, { efficiency_metric: 'zeta', efficiency_score: 90 }),
];

interface Drawn {
  x: [number, number];
  y: [number, number];
  xTicks: string[];
  yTicks: string[];
}

const card = (id: string) => `section[aria-labelledby=${id}]`;

/** What a chart drew: its scales and tick labels, as it mirrors them on its element. */
const drawn = async (page: Page, chart: string): Promise<Drawn> =>
  JSON.parse((await page.locator(`${chart} .chart`).getAttribute('data-plot')) ?? 'null') as Drawn;

/** The legend's series labels and values (the first entry is the date). */
const legend = (page: Page, chart: string) =>
  page.locator(`${chart} .u-legend .u-series`).evaluateAll((rows) =>
    rows.map((row) => ({
      label: row.querySelector('.u-label')?.textContent ?? '',
      value: row.querySelector('.u-value')?.textContent ?? '',
      color: row.querySelector<HTMLElement>('.u-marker')?.style.borderColor ?? '',
    })),
  );

interface Bar {
  plot: { top: number; bottom: number; left: number; right: number };
  /** The pixel rows, in CSS px, where the column at `atX` has the colour looked for. */
  top: number;
  bottom: number;
  /** Where zero and `value` lie on the drawn scale, in CSS px. */
  zeroY: number;
  valueY: number;
  centreX: number;
}

/**
 * Finds on the chart's canvas the bar of `value` at bucket `atX` (epoch seconds), drawn in the theme's `color`
 * custom property, by scanning the canvas column through the bucket's centre.
 */
const findBar = (page: Page, chart: string, atX: number, value: number, color: string) =>
  page.locator(`${chart} .chart`).evaluate(
    (el, { atX, value, color }): Bar | null => {
      const { x, y } = JSON.parse(el.getAttribute('data-plot') ?? '') as { x: number[]; y: number[] };
      const [x0 = 0, x1 = 1] = x;
      const [y0 = 0, y1 = 1] = y;
      const over = el.querySelector('.u-over')!.getBoundingClientRect();
      const canvas = el.querySelector('canvas')!;
      const box = canvas.getBoundingClientRect();
      const ratio = canvas.width / box.width;
      const hex = getComputedStyle(el).getPropertyValue(color).trim().slice(1);
      const want = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const toY = (v: number) => over.top + ((y1 - v) / (y1 - y0)) * over.height;
      const centreX = over.left + ((atX - x0) / (x1 - x0)) * over.width;
      const px = Math.round((centreX - box.left) * ratio);
      const pixels = canvas.getContext('2d')!.getImageData(px, 0, 1, canvas.height).data;
      const rows: number[] = [];
      for (let row = 0; row < canvas.height; row++) {
        const at = row * 4;
        const alpha = pixels[at + 3] ?? 0;
        if (alpha > 100 && want.every((c, i) => Math.abs((pixels[at + i] ?? 0) - c) <= 12)) rows.push(row);
      }
      if (rows.length === 0) return null;
      return {
        plot: { top: over.top, bottom: over.bottom, left: over.left, right: over.right },
        top: box.top + Math.min(...rows) / ratio,
        bottom: box.top + (Math.max(...rows) + 1) / ratio,
        zeroY: toY(0),
        valueY: toY(value),
        centreX,
      };
    },
    { atX, value, color },
  );

/** The latest bucket of the revenue chart (epoch seconds): today's. */
const lastBucket = (page: Page) =>
  page.evaluate(() => {
    const today = new Date();
    return Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) / 1000;
  });

describe('dashboard charts in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ({ server, browser } = await startDashboardTest(TOKEN, EXEC));
    // Gains of very different sizes, so a money axis would mix "$50,000" and "$200K" if it could.
    await capture(server.url, TOKEN, [
      daysAgo(6, ev('revenue_impact_event', A, { impact_amount: 200_000, impact_type: 'positive' })),
      daysAgo(4, ev('revenue_impact_event', A, { impact_amount: 50_000, impact_type: 'positive' })),
      daysAgo(3, ev('revenue_impact_event', B, { impact_amount: 10_000, impact_type: 'negative' })),
      // A gain today: its day has a row whose loss is zero, to be read "$0", never "-$0".
      ev('revenue_impact_event', A, { impact_amount: 1_000, impact_type: 'positive' }),
      daysAgo(
        2,
        ev('cost_optimization_event', A, { savings_amount: 40_000, optimization_type: 'implemented' }),
      ),
      daysAgo(
        1,
        ev('email_deliverability_event', A, {
          provider: 'ses',
          email_count: 10_000,
          bounce_rate: 0.04,
          spam_rate: 0.001,
          delivery_outcome: 'mixed',
        }),
      ),
      ...efficiency,
    ]);
    await server.pipeline.drain();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws a loss sent live for today whole inside the plot, and recolours it on a theme switch', async () => {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);
    await page.waitForSelector('[data-testid=live-status]:has-text("Live")');
    const revenue = card('ch-revenue');
    await page.locator(`${revenue} .chart[data-plot]`).waitFor();

    const losses = async () => (await legend(page, revenue)).find((v) => v.label === 'Losses')?.value;
    expect(await losses(), 'no loss today yet').toBe('$0');
    await capture(server.url, TOKEN, [
      ev('revenue_impact_event', A, { impact_amount: LOSS, impact_type: 'negative' }),
    ]);
    await expect.poll(losses, { timeout: 10_000 }).toBe('-$25K');
    const today = await lastBucket(page);
    const { x } = await drawn(page, revenue);
    // The whole of today's bucket lies on the time scale.
    expect(x[0]).toBeLessThanOrEqual(today - 0.5 * 86_400);
    expect(x[1]).toBeGreaterThanOrEqual(today + 0.5 * 86_400);

    const bar = await findBar(page, revenue, today, -LOSS, '--neg');
    expect(bar, 'no loss bar drawn on today').not.toBeNull();
    const { plot } = bar!;
    // From zero down to the loss, inside the plot box.
    expect(bar!.top).toBeCloseTo(bar!.zeroY, -0.5);
    expect(bar!.bottom).toBeCloseTo(bar!.valueY, -0.5);
    expect(bar!.top).toBeGreaterThanOrEqual(plot.top);
    expect(bar!.bottom).toBeLessThan(plot.bottom);
    expect(bar!.centreX).toBeGreaterThan(plot.left);
    expect(bar!.centreX).toBeLessThan(plot.right);

    // The legend shows the latest values, never a placeholder.
    const values = await legend(page, revenue);
    expect(values.map((v) => [v.label, v.value])).toEqual([
      ['Date', 'latest'],
      ['Gains', '$1K'],
      ['Losses', '-$25K'],
    ]);
    for (const chart of ['ch-savings', 'ch-eff', 'ch-cost'].map(card)) {
      for (const { label, value } of await legend(page, chart)) {
        expect(value, `${chart} ${label}`).not.toMatch(/^(--|—|-)?$/);
      }
    }

    // A theme switch recolours every chart at once: markers and the drawn bar take the dark theme's colours.
    const strokes = async () =>
      page
        .locator('.chart-card .u-legend .u-series:not(:first-child) .u-marker')
        .evaluateAll((markers) => markers.map((m) => (m as HTMLElement).style.borderColor));
    const before = await strokes();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(strokes).not.toEqual(before);
    const after = await strokes();
    expect(after).toHaveLength(before.length);
    after.forEach((colour, i) => expect(colour, `series ${i}`).not.toBe(before[i]));
    const negDark = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--neg').trim(),
    );
    expect(negDark).toBe('#f87171');
    expect(await findBar(page, revenue, today, -LOSS, '--neg'), 'loss bar in the dark colour').not.toBeNull();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('reads each axis in one style: compact money, percentages, "Dec 7" dates', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await signIn(page, server.url, EXEC);
    await page.locator(`${card('ch-cost')} .chart[data-plot]`).waitFor();
    for (const id of ['ch-revenue', 'ch-savings', 'ch-cost']) {
      const { yTicks, xTicks } = await drawn(page, card(id));
      expect(yTicks.length, id).toBeGreaterThan(1);
      for (const tick of yTicks) expect(tick, id).toMatch(/^-?\$\d+(\.\d+)?[KMB]?$/);
      for (const tick of xTicks) expect(tick, id).toMatch(/^[A-Z][a-z]{2} \d{1,2}$/);
    }
    expect((await drawn(page, card('ch-revenue'))).yTicks).toContain('$200K');
    // A window across a new year gives every date its year.
    await page.goto(`${server.url}/?range=custom&from=2025-12-20&to=2026-01-10`);
    const withYear = /^[A-Z][a-z]{2} \d{1,2}, 20\d\d$/;
    await expect
      .poll(async () => {
        const ticks = (await drawn(page, card('ch-revenue')).catch(() => null))?.xTicks ?? [];
        return ticks.length > 1 && ticks.every((tick) => withYear.test(tick));
      })
      .toBe(true);
    await page.goto(server.url);

    // Bounce and spam each on their own titled % axis, each with its own limit inside it.
    const deliverability = card('ch-deliv');
    const bounce = `${deliverability} [data-testid=chart-bounce]`;
    const spam = `${deliverability} [data-testid=chart-spam]`;
    await page.locator(`${spam} .chart[data-plot]`).waitFor();
    expect(await page.locator(`${bounce} .chart-unit`).textContent()).toBe('Bounce rate, % of emails sent');
    expect(await page.locator(`${spam} .chart-unit`).textContent()).toBe('Spam complaints, % of emails sent');
    const [b, s] = [await drawn(page, bounce), await drawn(page, spam)];
    for (const tick of [...b.yTicks, ...s.yTicks]) expect(tick).toMatch(/^\d+(\.\d+)? %$/);
    expect(b.y[1]).toBeGreaterThan(0.15);
    expect(s.y[1]).toBeGreaterThan(0.003);
    // The spam axis ends far below the bounce limit, so its line cannot seem to reach it.
    expect(s.y[1]).toBeLessThan(0.15);
    expect((await legend(page, spam)).map((v) => [v.label, v.value])).toEqual([
      ['Date', 'latest'],
      ['Spam rate', '0.10 %'],
      ['Limit', '0.30 %'],
    ]);
    await context.close();
  });

  it('shows the weakest efficiency metrics and the rest averaged, each series in its own colour everywhere', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 900 } });
    const page = await context.newPage();
    await signIn(page, server.url, EXEC);
    const eff = card('ch-eff');
    await page.locator(`${eff} .chart[data-plot]`).waitFor();
    const shown = async () => legend(page, eff);
    const overview = await shown();
    expect(overview.map((v) => v.label)).toEqual([
      'Date',
      'Backlog',
      'Uptime',
      'Latency',
      'Next 5 weakest (average)',
      'Alert below 55',
    ]);
    // Legible at a phone's width: the legend stays inside the card.
    const fits = await page
      .locator(eff)
      .evaluate(
        (el) =>
          el.scrollWidth <= el.clientWidth && el.querySelector('.u-legend')!.scrollWidth <= el.clientWidth,
      );
    expect(fits).toBe(true);

    const colourOf = (rows: Awaited<ReturnType<typeof shown>>, label: string) =>
      rows.find((r) => r.label === label)?.color;
    const colours = overview.slice(1).map((r) => r.color);
    expect(new Set(colours).size, colours.join(' ')).toBe(colours.length);
    const uptime = colourOf(overview, 'Uptime');
    expect(uptime).toBeTruthy();
    for (const tenant of [A, B]) {
      await page.goto(`${server.url}/tenants/${tenant}`);
      await page.locator(`${eff} .chart[data-plot]`).waitFor();
      await expect.poll(async () => colourOf(await shown(), 'Uptime'), { message: tenant }).toBe(uptime);
    }
    await context.close();
  });

  for (const width of [1440, 390]) {
    it(`leaves no empty space under a chart card at ${width} px`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await signIn(page, server.url, EXEC);
      await page.locator(`${card('ch-cost')} .u-legend`).waitFor();
      const slack = await page.locator('.chart-card').evaluateAll((cards) =>
        cards.map((c) => {
          const style = getComputedStyle(c);
          const inner =
            c.getBoundingClientRect().bottom -
            parseFloat(style.paddingBottom) -
            parseFloat(style.borderBottomWidth);
          const last = c.lastElementChild!;
          const end = last.getBoundingClientRect().bottom + parseFloat(getComputedStyle(last).marginBottom);
          return { card: c.getAttribute('aria-labelledby'), slack: Math.round(inner - end) };
        }),
      );
      for (const { card: id, slack: s } of slack) expect(s, `${id} at ${width} px`).toBeLessThanOrEqual(1);
      await context.close();
    });
  }
});
