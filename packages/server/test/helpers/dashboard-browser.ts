import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestServer, type TestServer } from './pulse-server.js';

export { capture } from './capture-batch.js';

// What the dashboard tests in real headless Chromium share: the built dashboard, the browser, sign-in through
// the UI and events captured over PostHog's /batch/.

const dist = fileURLToPath(new URL('../../../dashboard/dist/index.html', import.meta.url));

/** The server serves the built dashboard: fail with the fix rather than with a blank page. */
export function assertDashboardBuilt(): void {
  if (!existsSync(dist))
    throw new Error(`${dist} is missing: run \`npm run build\` in the repository root first`);
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface Credentials {
  email: string;
  password: string;
}

/** Signs in through the form and waits for the overview's first paint. */
export async function signIn(page: Page, url: string, who: Credentials): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid=health-score]');
}

const now = () => new Date().toISOString();

/** One PostHog-style event of `tenant`, timestamped now. */
export const ev = (event: string, tenant: string, properties: Record<string, unknown>) => ({
  event,
  distinct_id: tenant,
  uuid: randomUUID(),
  timestamp: now(),
  properties: { tenant_id: tenant, ...properties },
});

/** Adds `who` as a dashboard user (an executive unless said otherwise). */
export async function addUser(server: TestServer, who: Credentials, role = 'executive'): Promise<void> {
  const created = await server.api('/api/users', { body: { ...who, role } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

/** A dashboard test's start: the built dashboard checked, a server taking `token`, Chromium, and `who`. */
export async function startDashboardTest(
  token: string,
  who: Credentials,
): Promise<{ server: TestServer; browser: Browser }> {
  assertDashboardBuilt();
  const server = await startTestServer({ PULSE_PROJECT_TOKEN: token });
  const browser = await launchChromium();
  await addUser(server, who);
  return { server, browser };
}
