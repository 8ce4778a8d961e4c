import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertDashboardBuilt,
  capture as captureWith,
  ev,
  launchChromium,
  signIn,
} from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';
import { temporaryDirectory } from './helpers/temp-dir.js';

// The dashboard end to end in real headless Chromium against a real server and DuckDB: sign in through the
// UI, the numbers equal GET /api/summary, a critical event captured over PostHog's /batch/ shows up live
// (no reload) within a second, it is acknowledged from the inbox, and a tenant executive is refused
// another tenant's page.

const TOKEN = 'phc_dashboard_e2e_token';
const A = `acme-${randomUUID().slice(0, 6)}`;
const B = `globex-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'ceo@pulse.test', password: 'the wall screen in the boardroom' };
const TE = { email: 'acme-exec@pulse.test', password: 'acme and only acme, please' };

const RESTART_ADMIN_KEY = 'dashboard-e2e-restart-admin-key';
const bin = fileURLToPath(new URL('../bin/pulse.js', import.meta.url));

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `pulse serve` (built) on a fixed port, so a restart comes back where the page expects it. */
async function startServe(dataDir: string, port: number) {
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
    {
      cwd: dataDir,
      env: {
        HOME: homedir(),
        TMPDIR: tmpdir(),
        PULSE_ADMIN_KEY: RESTART_ADMIN_KEY,
        PULSE_PROJECT_TOKEN: TOKEN,
        PULSE_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pulse serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Pulse is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`pulse serve exited:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const capture = (url: string, events: unknown[]) => captureWith(url, TOKEN, events);

describe('the dashboard in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    assertDashboardBuilt();
    // One after the other: when the browser fails to start, afterAll still closes the server.
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    browser = await launchChromium();
    for (const [who, role, tenants] of [
      [EXEC, 'executive', undefined],
      [TE, 'tenant_executive', [A]],
    ] as const) {
      const created = await server.api('/api/users', {
        body: { ...who, role, ...(tenants ? { tenants } : {}) },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    await capture(server.url, [
      ev('revenue_impact_event', A, { impact_amount: 4200, impact_type: 'positive' }),
      ev('revenue_impact_event', A, {
        impact_amount: 800,
        impact_type: 'negative',
        action_required: 'Call the customer',
      }),
      ev('revenue_impact_event', B, { impact_amount: 1500, impact_type: 'positive' }),
      ev('cost_optimization_event', A, { savings_amount: 3000, optimization_type: 'implemented' }),
      ev('cost_optimization_event', B, { savings_amount: 2000, optimization_type: 'identified' }),
      ev('operational_efficiency_event', A, { efficiency_metric: 'ticket_resolution', efficiency_score: 82 }),
      ev('email_deliverability_event', B, {
        email_count: 1000,
        delivery_outcome: 'mixed',
        bounce_rate: 0.03,
      }),
      ev('strategic_decision_event', A, {
        decision_type: 'pricing',
        decision_title: 'New tiers',
        status: 'approved',
      }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, shows the summary numbers of /api/summary, shows a critical alert live, acknowledges it', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, EXEC);

    // The same window through the API: the page states the one it asked for.
    const summaryEl = page.getByTestId('summary');
    const from = await summaryEl.getAttribute('data-from');
    const to = await summaryEl.getAttribute('data-to');
    const api = await server.api<{
      overallBusinessHealth: number;
      keyMetrics: Record<string, number | null>;
    }>(`/api/summary?from=${from}&to=${to}`);
    expect(api.status).toBe(200);
    const health = page.getByTestId('health-score');
    expect(Number(await health.getAttribute('data-value'))).toBe(api.body.overallBusinessHealth);
    expect(await health.textContent()).toBe(String(Math.round(api.body.overallBusinessHealth)));
    for (const key of [
      'negativeRevenueImpact',
      'costOptimizationSavings',
      'projectedSavings',
      'operationalEfficiencyScore',
      'strategicDecisionsTracked',
      'businessPerformanceScore',
    ]) {
      const shown = await page.getByTestId(`metric-${key}`).getAttribute('data-value');
      expect(Number(shown), key).toBe(api.body.keyMetrics[key]);
    }
    await expect
      .poll(() => page.getByTestId('metric-negativeRevenueImpact').locator('.value').textContent())
      .toBe('$800');
    await page.waitForSelector('[data-testid=live-status]:has-text("Live")');

    // A critical event through PostHog's capture API: the alert appears without a reload.
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const critical = page.locator('.critical li.alert');
    expect(await critical.count()).toBe(0);
    await capture(server.url, [
      ev('security_incident_event', A, {
        incident_type: 'data_exposure',
        severity: 'critical',
        affects_customer_data: true,
        records_affected: 42,
      }),
    ]);
    await critical.first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    await page.getByTestId('toast').waitFor();
    const alertId = await critical.first().getAttribute('data-alert-id');
    expect(alertId).toBeTruthy();

    // Acknowledge it from the inbox (client-side navigation, CSRF header from the session).
    await page.getByRole('link', { name: /^Alerts/ }).click();
    const row = page.locator(`li[data-alert-id="${alertId}"]`);
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await row.getByLabel(/comment/).fill('Security is on it');
    await row.getByRole('button', { name: 'Confirm acknowledge' }).click();
    await row.waitFor({ state: 'detached' }); // it leaves the open tab
    await page.getByRole('tab', { name: /Acknowledged/ }).click();
    await page.locator(`li[data-alert-id="${alertId}"][data-state=acknowledged]`).waitFor();
    const stored = await server.api<{ state: string; ackComment: string }>(`/api/alerts/${alertId}`);
    expect(stored.body).toMatchObject({ state: 'acknowledged', ackComment: 'Security is on it' });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('reconnects by itself after a server restart and catches up on what it missed', async () => {
    // A real restart: `pulse serve` (the built CLI) as its own process, stopped and started again on the
    // same port and data dir, while the page stays open.
    const dataDir = temporaryDirectory('pulse-e2e-restart-');
    const port = await freePort();
    let pulse = await startServe(dataDir, port);
    try {
      const adminApi = (path: string, body: unknown) =>
        fetch(`${pulse.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${RESTART_ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await adminApi('/api/users', { ...EXEC, role: 'executive' })).status).toBe(201);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await signIn(page, pulse.url, EXEC);
      const status = page.getByTestId('live-status');
      await page.waitForSelector('[data-testid=live-status]:has-text("Live")');
      await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));

      await pulse.stop();
      await page.waitForSelector('[data-testid=live-status]:has-text("Reconnecting")');
      pulse = await startServe(dataDir, port);
      // Opened while the page may still be disconnected: it must show up anyway, live or by catch-up.
      await capture(pulse.url, [
        ev('security_incident_event', B, {
          incident_type: 'credential_leak',
          severity: 'critical',
          affects_customer_data: true,
        }),
      ]);
      await page.waitForSelector('[data-testid=live-status]:has-text("Live")', { timeout: 20_000 });
      await page.locator('.critical li.alert', { hasText: 'credential_leak' }).waitFor({ timeout: 5_000 });
      expect(await status.textContent()).toContain('Live');
      expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
      await context.close();
    } finally {
      await pulse.stop();
    }
  }, 50_000);

  it('refuses a tenant executive another tenant: the UI shows the refusal, the API answers 403', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url, TE);
    const own = await page.evaluate(
      async (tenant) => (await fetch(`/api/summary?tenant=${tenant}`)).status,
      A,
    );
    expect(own).toBe(200);

    await page.getByLabel('Tenant').fill(B);
    await page.getByLabel('Tenant').press('Enter');
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Access refused');
    expect(await refusal.textContent()).toContain(B);
    expect(new URL(page.url()).pathname).toBe(`/tenants/${B}`);
    const status = await page.evaluate(
      async (tenant) => (await fetch(`/api/summary?tenant=${tenant}`)).status,
      B,
    );
    expect(status).toBe(403);

    // Its own tenant's page works, and the server-side listing never offers the other tenant's alerts.
    await page.getByLabel('Tenant').fill(A);
    await page.getByLabel('Tenant').press('Enter');
    await page.waitForSelector('[data-testid=health-score]');
    expect(await page.locator('h1').textContent()).toContain(A);

    // A dead link opens the app's not-found page (404), with the way back, not raw API JSON.
    const dead = await page.goto(`${server.url}/no-such-page`);
    expect(dead?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Executive overview' }).click();
    await page.waitForSelector('[data-testid=health-score]');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
