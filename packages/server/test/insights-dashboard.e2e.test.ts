import { randomUUID } from 'node:crypto';
import type { BusinessImpact, DecisionInsights } from '@pulse/api';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDashboardBuilt, capture, launchChromium, signIn } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The Decisions page and the overview's business impact panel in real headless Chromium show the numbers
// of GET /api/insights/decisions and /impact.

const TOKEN = 'phc_insights_dashboard_token';
const TENANT = `acme-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'coo@pulse.test', password: 'decisions on the wall screen' };
const DAY = 86_400_000;

const at = (ms: number, event: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: TENANT,
  uuid: randomUUID(),
  timestamp: new Date(ms).toISOString(),
  properties: { tenant_id: TENANT, ...properties },
});
const decision = (ms: number, id: string, properties: Record<string, unknown>) =>
  at(ms, 'strategic_decision_event', {
    decision_id: id,
    decision_type: 'vendor_selection',
    decision_title: `Vendor ${id}`,
    ...properties,
  });

describe('decisions and business impact in the dashboard', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    assertDashboardBuilt();
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    browser = await launchChromium();
    const created = await server.api('/api/users', { body: { ...EXEC, role: 'executive' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const t0 = Date.now() - 20 * DAY;
    await capture(server.url, TOKEN, [
      decision(t0, 'crm', {
        status: 'proposed',
        expected_revenue_impact: 50_000,
        expected_cost_impact: 10_000,
      }),
      decision(t0 + 3 * DAY, 'crm', { status: 'approved' }),
      decision(t0 + 9 * DAY, 'crm', {
        status: 'completed',
        actual_revenue_impact: 45_000,
        actual_cost_impact: 15_000,
      }),
      decision(t0 + DAY, 'cdn', {
        status: 'in_progress',
        next_review_date: new Date(Date.now() - 2 * DAY).toISOString(),
      }),
      at(t0, 'cost_optimization_event', { savings_amount: 1_000, optimization_type: 'identified' }),
      at(t0 + DAY, 'cost_optimization_event', { savings_amount: 3_000, optimization_type: 'implemented' }),
    ]);
    await server.pipeline.drain();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the impact panel on the overview and the Decisions page with the API numbers', async () => {
    const impact = (await server.api<BusinessImpact>('/api/insights/impact')).body;
    const decisions = (
      await server.api<DecisionInsights>('/api/insights/decisions?from=' + (Date.now() - 30 * DAY))
    ).body;
    expect(impact.savingsRealization.current.share).toBe(0.75);
    expect(decisions.velocity.proposedToCompleted.medianDays).toBe(9);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);

    const panel = page.getByTestId('impact');
    await panel.waitFor();
    expect(await page.getByTestId('impact-savings').locator('.value').textContent()).toBe('75.0 %');
    expect(await page.getByTestId('impact-savings').textContent()).toContain('$3,000 of $4,000 identified');
    expect(await page.getByTestId('impact-velocity').locator('.value').textContent()).toBe(
      `${(impact.decisionVelocity.current.medianDays ?? 0).toFixed(1)} d`,
    );
    const rate = impact.captureSuccess.current.rate ?? 0;
    expect(await page.getByTestId('impact-capture').locator('.value').textContent()).toBe(
      `${(rate * 100).toFixed(2)} %`,
    );

    await page.getByRole('link', { name: 'Decisions', exact: true }).click();
    await page.getByTestId('decisions').waitFor();
    for (const stage of ['proposedToApproved', 'approvedToCompleted', 'proposedToCompleted'] as const)
      expect(await page.getByTestId(`velocity-${stage}`).locator('.value').textContent()).toBe(
        `${(decisions.velocity[stage].medianDays ?? 0).toFixed(1)} d`,
      );
    expect(await page.getByTestId('decisions-roi').locator('.value').textContent()).toBe('200 %');
    const crm = page.locator('[data-decision=crm] td');
    expect((await crm.allTextContents()).map((t) => t.trim())).toEqual([
      'Vendor crm',
      TENANT,
      'Completed',
      '$50,000',
      '$45,000',
      '$10,000',
      '$15,000',
      '200 %',
    ]);
    const overdue = await page.getByTestId('overdue-reviews').textContent();
    expect(overdue).toContain('Vendor cdn');
    expect(overdue).toContain('In progress');
    const months = page.locator('[data-month]');
    expect(await months.count()).toBe(decisions.velocity.byMonth.length);
    const completedIn = decisions.velocity.byMonth.find((m) => m.proposedToCompleted.count === 1);
    expect(await page.locator(`[data-month="${completedIn?.month}"]`).textContent()).toContain('9.0 d');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
