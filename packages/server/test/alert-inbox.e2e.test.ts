import type { AuditRecord, Silence } from '@pulse/api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, ev, signIn, startDashboardTest } from './helpers/dashboard-browser.js';
import type { TestServer } from './helpers/pulse-server.js';

// The alert inbox in headless Chromium: repeats of one tenant + rule are one row with a count, a filter
// narrows the list and lives in the URL, and good news is listed apart from the problems.

const TOKEN = 'phc_alert_inbox_token';
const EXEC = { email: 'inbox@pulse.test', password: 'one row per problem, please' };

const loss = (tenant: string, amount: number, eventType: string) =>
  ev('revenue_impact_event', tenant, {
    impact_amount: amount,
    impact_type: 'negative',
    event_type: eventType,
  });

describe('the alert inbox in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ server, browser } = await startDashboardTest(TOKEN, EXEC));
    await capture(server.url, TOKEN, [
      loss('acme', 20_000, 'churn'),
      loss('acme', 30_000, 'downgrade'),
      loss('acme', 40_000, 'payment_failure'),
      loss('globex', 3_000, 'churn'),
      ev('cost_optimization_event', 'globex', {
        optimization_category: 'infrastructure',
        savings_amount: 12_000,
        optimization_type: 'identified',
      }),
    ]);
    await server.pipeline.barrier();
    await server.alerts.flush();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const panel = () => page.locator('#alert-state-panel');
  const opportunities = () => page.getByTestId('opportunities');

  it('shows repeats as one row with a count that expands to the alerts', async () => {
    await page.goto(`${server.url}/alerts`);
    const group = panel().locator('li.alert-group[data-group="acme/revenue-loss-critical"]');
    await expect.poll(() => group.locator('.group-count').textContent()).toBe('3 alerts');
    await expect(group.getByRole('img', { name: /3 occurrences/ }).count()).resolves.toBe(1);
    await group.getByRole('button', { name: 'Show 3 alerts' }).click();
    await expect.poll(() => group.locator('li[data-alert-id]').count()).toBe(3);
    // The tenant with one alert shows that alert itself.
    await expect(panel().locator('li[data-alert-id]').filter({ hasText: 'globex' }).count()).resolves.toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('narrows the list with a filter that is in the URL, so the view is linkable', async () => {
    await page.goto(`${server.url}/alerts`);
    await panel().locator('li.alert-group').waitFor();
    await page.getByLabel('Alerts of tenant').selectOption('globex');
    await expect.poll(() => new URL(page.url()).searchParams.get('tenant')).toBe('globex');
    await expect.poll(() => panel().locator('li.alert-group').count()).toBe(0);
    await expect(panel().locator('li.alert').filter({ hasText: 'globex' }).count()).resolves.toBe(1);

    // The same URL opened afresh shows the same narrowed view.
    await page.goto(`${server.url}/alerts?tenant=acme&severity=medium`);
    await expect.poll(() => panel().locator('.empty').textContent()).toBe('No open alerts.');
    await expect(page.getByLabel('Severity').inputValue()).resolves.toBe('medium');
    expect(pageErrors).toEqual([]);
  });

  it('lists opportunities apart from the problems', async () => {
    await page.goto(`${server.url}/alerts`);
    const savings = opportunities().locator('li.alert');
    await expect.poll(() => savings.count()).toBe(1);
    await expect(savings.locator('.sev').textContent()).resolves.toBe('medium');
    await expect(savings.textContent()).resolves.toContain('globex');
    await panel().locator('li.alert').first().waitFor();
    const risks = await panel().locator('li.alert').allTextContents();
    expect(risks.some((text) => /saving/i.test(text))).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('mutes a group from its row: it leaves the inbox and the mute names who set it and until when', async () => {
    await page.goto(`${server.url}/alerts`);
    const group = panel().locator('li.alert-group[data-group="acme/revenue-loss-critical"]');
    await group.waitFor();
    await group.getByLabel(/^Mute .* for acme/).selectOption({ label: 'for 1 hour' }, { timeout: 5_000 });
    await expect.poll(() => group.count()).toBe(0);
    const { mutes } = (await server.api<{ mutes: Silence[] }>('/api/alert-mutes')).body;
    expect(mutes).toMatchObject([
      { tenantId: 'acme', rule: 'revenue-loss-critical', createdByName: EXEC.email },
    ]);
    // Shown again on request, with the mute's expiry.
    await page.goto(`${server.url}/alerts?silenced=include`);
    await expect.poll(() => group.locator('.meta').textContent()).toContain('muted until');
    expect(pageErrors).toEqual([]);
  });

  it('cancels the mute from the dashboard on a phone: the group is back and both are in the audit trail', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const small = await phone.newPage();
    small.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(small, server.url, EXEC);
    const [mute] = (await server.api<{ mutes: Silence[] }>('/api/alert-mutes')).body.mutes;
    expect(mute?.tenantId).toBe('acme');

    await small.goto(`${server.url}/alerts?silenced=include`);
    const group = small.locator('#alert-state-panel li.alert-group[data-group="acme/revenue-loss-critical"]');
    const unmute = group.getByRole('button', { name: /^Unmute .* for acme$/ });
    await unmute.waitFor();
    // It fits the phone's width, and the keyboard reaches and presses it.
    const box = await unmute.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? Infinity)).toBeLessThanOrEqual(390);
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await unmute.focus();
    await small.keyboard.press('Enter');
    await expect.poll(() => group.locator('.meta').textContent()).not.toContain('muted until');

    // The default list (silenced hidden) shows the group again.
    await small.goto(`${server.url}/alerts`);
    await expect.poll(() => group.locator('.group-count').textContent()).toBe('3 alerts');
    expect((await server.api<{ mutes: Silence[] }>('/api/alert-mutes')).body.mutes).toEqual([]);

    // The audit trail holds the mute and its cancellation, each with the person who did it.
    const { users } = (await server.api<{ users: { id: string; email: string }[] }>('/api/users')).body;
    const person = users.find((u) => u.email === EXEC.email)?.id;
    const { records } = (await server.api<{ records: AuditRecord[] }>('/api/audit?limit=1000')).body;
    const ofMute = records
      .filter((r) => r.detail.mute === mute?.id && r.result === 'ok')
      .sort((a, b) => a.seq - b.seq);
    expect(ofMute.map((r) => [r.actor.id, r.detail.cancelled !== undefined])).toEqual([
      [person, false],
      [person, true],
    ]);
    expect(pageErrors).toEqual([]);
    await phone.close();
  });

  it('snoozes an alert from its row and ends the snooze early with "Unsnooze"', async () => {
    await page.goto(`${server.url}/alerts`);
    const row = panel().locator('li[data-alert-id]').filter({ hasText: 'globex' });
    await row.getByLabel('Snooze this alert').selectOption({ label: 'for 1 hour' });
    await expect.poll(() => row.count()).toBe(0);

    await page.goto(`${server.url}/alerts?silenced=include`);
    await expect.poll(() => row.locator('.silenced').textContent()).toContain('snoozed until');
    await row.getByRole('button', { name: 'Unsnooze this alert' }).click();
    await expect.poll(() => row.locator('.silenced').count()).toBe(0);
    await page.goto(`${server.url}/alerts`);
    await expect.poll(() => row.count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
