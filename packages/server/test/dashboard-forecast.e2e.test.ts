import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDashboardBuilt, capture, ev, launchChromium, signIn } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The run-rate chart in real headless Chromium carries the forecast from GET /api/insights/forecast: a dashed
// point forecast and its interval, drawn past the window's last day.

const TOKEN = 'phc_dashboard_forecast_token';
const A = `acme-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'cfo@pulse.test', password: 'run-rate with a forecast band' };
const DAY = 86_400_000;

describe('the cost run-rate forecast band in the dashboard', () => {
  let server: TestServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertDashboardBuilt();
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    browser = await launchChromium();
    const created = await server.api('/api/users', { body: { ...EXEC, role: 'executive' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Three weeks of a resource whose monthly cost grows by 10 a day.
    await capture(
      server.url,
      TOKEN,
      Array.from({ length: 21 }, (_, i) => ({
        ...ev('resource_usage_event', A, {
          resource_type: 'database',
          resource_id: 'db-1',
          current_usage: 40,
          capacity: 100,
          total_cost: 1000 + 10 * i,
        }),
        timestamp: new Date(Date.now() - (21 - i) * DAY).toISOString(),
      })),
    );
    await server.pipeline.drain();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the forecast and its 80 % interval on the run-rate chart', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const forecastAnswer = page.waitForResponse((r) => r.url().includes('/api/insights/forecast'));
    await signIn(page, server.url, EXEC);
    const response = await forecastAnswer;
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { forecast: { value: number }[] };
    expect(body.forecast).toHaveLength(14);
    expect(response.url()).toContain('metric=cost_run_rate');

    const legend = page.locator('section[aria-labelledby=ch-cost] .u-legend');
    await legend.getByText('Forecast', { exact: true }).waitFor();
    expect(await legend.locator('.u-label').allTextContents()).toEqual([
      'Date',
      'Run-rate',
      'Forecast',
      '80 % high',
      'low',
    ]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
