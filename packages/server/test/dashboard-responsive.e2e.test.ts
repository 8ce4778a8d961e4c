import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDashboardBuilt, capture, ev, launchChromium, signIn } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The dashboard on the demo data from a phone to a wall screen: no page scrolls sideways (wide tables
// scroll inside their own box), every alert title lies inside the viewport, also for a tenant whose id is
// one long word, and on a desktop or wall screen the critical alerts get at least half the width.

const TOKEN = 'phc_dashboard_responsive_token';
const LONG_TENANT = 'northwind-traders-international-holdings-emea-subsidiary-0042';

const WIDTHS = [390, 1440, 1920] as const;
const PAGES = [
  { name: 'overview', path: '/', ready: '.critical .alert', alerts: true },
  { name: 'alerts', path: '/alerts', ready: '.alerts .alert', alerts: true },
  { name: 'reports', path: '/reports', ready: '[data-testid^=report-]', alerts: false },
  { name: 'decisions', path: '/decisions', ready: '[data-testid=decision-table]', alerts: false },
] as const;

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  criticalWidth: number;
  titles: { text: string; left: number; right: number; width: number }[];
}

/** How wide the page is against the viewport, and where each alert title sits. */
const measure = (page: Page): Promise<Layout> =>
  page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
    criticalWidth: document.querySelector('.critical')?.getBoundingClientRect().width ?? 0,
    titles: [...document.querySelectorAll('.alert .alert-text > strong')].map((title) => {
      const box = title.getBoundingClientRect();
      return { text: title.textContent ?? '', left: box.left, right: box.right, width: box.width };
    }),
  }));

describe('the dashboard from phone to wall screen', () => {
  let server: TestServer;
  let browser: Browser;
  let login: { email: string; password: string };

  beforeAll(async () => {
    assertDashboardBuilt();
    server = await startTestServer({ PULSE_DEMO: 'true', PULSE_PROJECT_TOKEN: TOKEN });
    await capture(server.url, TOKEN, [
      ev('security_incident_event', LONG_TENANT, {
        incident_type: 'credential_exposure_in_public_repository_of_a_vendor',
        severity: 'critical',
        affects_customer_data: true,
        records_affected: 120_000,
      }),
    ]);
    browser = await launchChromium();
    const [email = '', password = ''] = readFileSync(join(server.dataDir, 'demo-login.txt'), 'utf8').split(
      '\n',
    );
    login = { email, password };
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of WIDTHS) {
    it(`at ${width} px wide no page overflows sideways, alert titles are in view, critical alerts have room`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: 'light' });
      try {
        const page = await context.newPage();
        await signIn(page, server.url, login);
        for (const { name, path, ready, alerts } of PAGES) {
          await page.goto(`${server.url}${path}`);
          await page.waitForSelector(ready);
          const layout = await measure(page);
          expect(layout.scrollWidth, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(
            layout.innerWidth,
          );
          if (name === 'overview' && width >= 1440)
            expect(layout.criticalWidth, `critical alerts at ${width} px`).toBeGreaterThanOrEqual(width / 2);
          if (alerts) expect(layout.titles.length, `${name} shows alerts`).toBeGreaterThan(0);
          for (const title of layout.titles) {
            const where = `"${title.text}" on ${name} at ${width} px`;
            expect(title.width, `${where} has no width`).toBeGreaterThan(0);
            expect(title.left, `${where} starts left of the viewport`).toBeGreaterThanOrEqual(0);
            expect(title.right, `${where} ends right of the viewport`).toBeLessThanOrEqual(layout.innerWidth);
          }
        }
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
