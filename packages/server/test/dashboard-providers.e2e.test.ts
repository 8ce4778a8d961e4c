import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDashboardBuilt, capture, ev, launchChromium, signIn } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The deliverability panel in real headless Chromium: one row per email provider with its emails and
// email-weighted rates, an over-limit bounce rate flagged in words, and an empty state without provider data.

const TOKEN = 'phc_dashboard_providers_token';
const A = `acme-${randomUUID().slice(0, 6)}`;
const QUIET = `quiet-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'ceo@pulse.test', password: 'deliverability on the wall screen' };

const email = (
  provider: string,
  email_count: number,
  bounce_rate: number,
  spam_rate: number,
  extra: Record<string, unknown> = {},
) =>
  ev('email_deliverability_event', A, {
    provider,
    email_count,
    bounce_rate,
    spam_rate,
    delivery_outcome: 'mixed',
    ...extra,
  });

const cells = (page: Page, provider: string) =>
  page
    .getByTestId(`provider-${provider}`)
    .locator('th, td')
    .allTextContents()
    .then((texts) => texts.map((t) => t.trim()));

describe('deliverability per provider in the dashboard', () => {
  let server: TestServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertDashboardBuilt();
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    browser = await launchChromium();
    const created = await server.api('/api/users', { body: { ...EXEC, role: 'executive' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await capture(server.url, TOKEN, [
      // sendgrid: (1000 × 0.02 + 3000 × 0.06) / 4000 = 5 %; (1000 × 0.001 + 3000 × 0.002) / 4000 = 0.175 %.
      email('sendgrid', 1000, 0.02, 0.001),
      email('sendgrid', 3000, 0.06, 0.002),
      // mailgun: 20 % bounces, over the 15 % limit.
      email('mailgun', 500, 0.2, 0.004, { risk_level: 'critical' }),
      ev('revenue_impact_event', QUIET, { impact_amount: 100, impact_type: 'positive' }),
    ]);
    await server.pipeline.drain(); // the store has them before the page first asks
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows each provider with its emails and weighted rates, and an empty state without providers', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);

    await page.getByTestId('providers').waitFor();
    expect(await cells(page, 'mailgun')).toEqual([
      'mailgun',
      '500',
      '20.00 % over',
      '0.400 % over',
      'critical',
    ]);
    expect(await cells(page, 'sendgrid')).toEqual(['sendgrid', '4,000', '5.00 %', '0.175 %', '—']);
    const bounce = page.getByTestId('provider-sendgrid').locator('td').nth(1);
    expect(Number(await bounce.getAttribute('data-value'))).toBeCloseTo(0.05, 12);
    expect(await page.getByTestId('providers').locator('tbody tr').count()).toBe(2);
    // It fits its card: no sideways scrolling on a wall screen.
    const wrapper = page.locator('.providers');
    expect(await wrapper.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);

    await page.getByLabel('Tenant').fill(QUIET);
    await page.getByLabel('Tenant').press('Enter');
    await page.getByTestId('providers-empty').waitFor();
    expect(await page.getByTestId('providers').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
