import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ago, fullDateTime } from '../../dashboard/src/format.js';
import { assertDashboardBuilt, capture, ev, launchChromium, signIn } from './helpers/dashboard-browser.js';
import { startTestServer, type TestServer } from './helpers/pulse-server.js';

// The dashboard for keyboard users and wall screens, in real headless Chromium: the tab lists follow the
// WAI-ARIA tabs pattern (roving tabindex, arrows with wrap-around, Home/End, automatic activation, a
// labelled tabpanel), the focus ring shows in both themes, and relative times keep moving without a reload
// (Playwright's fake clock, so no waiting).

const TOKEN = 'phc_dashboard_a11y_token';
const TENANT = `initech-${randomUUID().slice(0, 6)}`;
const EXEC = { email: 'wall@pulse.test', password: 'left open in the boardroom all day' };

interface AlertView {
  id: string;
  state: string;
  title: string;
  summary: string;
  lastSeen: string;
}

/** What a screen reader and the keyboard see of one tab list and its panel. */
function tabsOf(page: Page, id: string) {
  return page.evaluate((prefix) => {
    const tabs = [...document.querySelectorAll<HTMLElement>(`[id^="${prefix}-tab-"]`)];
    const panel = document.getElementById(`${prefix}-panel`);
    return {
      focused: document.activeElement?.id ?? null,
      selected: tabs.filter((t) => t.getAttribute('aria-selected') === 'true').map((t) => t.id),
      tabbable: tabs.filter((t) => t.getAttribute('tabindex') === '0').map((t) => t.id),
      controls: [...new Set(tabs.map((t) => t.getAttribute('aria-controls')))],
      panel: {
        role: panel?.getAttribute('role'),
        labelledBy: panel?.getAttribute('aria-labelledby'),
        tabindex: panel?.getAttribute('tabindex'),
      },
      rows: [...(panel?.querySelectorAll<HTMLElement>('li.alert') ?? [])].map((li) => li.dataset.state),
      shows: [...(panel?.querySelectorAll<HTMLElement>('[data-alert-id], table[data-testid]') ?? [])].map(
        (el) => el.dataset.alertId ?? el.dataset.testid,
      ),
      query: location.search,
      history: history.length,
    };
  }, id);
}

/** The expected picture when `key` is the selected tab of `id`, focus on it. */
const selectedTab = (id: string, key: string) => ({
  focused: `${id}-tab-${key}`,
  selected: [`${id}-tab-${key}`],
  tabbable: [`${id}-tab-${key}`],
  controls: [`${id}-panel`],
  panel: { role: 'tabpanel', labelledBy: `${id}-tab-${key}`, tabindex: '0' },
});

/** WCAG relative luminance contrast of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r = 0, g = 0, bl = 0] = (rgb.match(/[\d.]+/g) ?? []).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('ago(): the relative time of the alert lists, pure in `now`', () => {
  const t0 = Date.parse('2025-11-26T10:00:00Z');
  const at = (seconds: number) => ago(t0, t0 + seconds * 1000);

  it('reads "just now" under half a minute, and for a time ahead of the clock (skew)', () => {
    expect([at(0), at(29), at(-90)]).toEqual(['just now', 'just now', 'just now']);
  });

  it('rounds to the nearest minute, hour, day, never "60 min" or "24 h"', () => {
    expect(at(30)).toBe('1 min ago');
    expect(at(149)).toBe('2 min ago');
    expect(at(59 * 60 + 29)).toBe('59 min ago');
    expect(at(59 * 60 + 30)).toBe('1 h ago');
    expect(at(23 * 3600 + 29 * 60)).toBe('23 h ago');
    expect(at(23 * 3600 + 30 * 60)).toBe('1 d ago');
    expect(at(3 * 86_400)).toBe('3 d ago');
  });

  it('takes an ISO string or epoch milliseconds alike', () => {
    expect(ago('2025-11-26T10:00:00Z', t0 + 120_000)).toBe(ago(t0, t0 + 120_000));
  });

  it('has an absolute tooltip with the date and the seconds', () => {
    const title = fullDateTime(Date.parse('2025-11-26T10:11:05Z'));
    expect(title).toContain('2025');
    expect(title).toMatch(/:05\b/);
  });
});

describe('the dashboard for keyboard users and wall screens, in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const pageErrors: string[] = [];
  const alerts = {} as Record<'open' | 'acknowledged' | 'resolved', AlertView>;
  // One page for all (a new page costs up to a second here); each test starts with a full load of its path.
  let page: Page;

  beforeAll(async () => {
    assertDashboardBuilt();
    // One after the other: when the browser fails to start, afterAll still closes the server.
    server = await startTestServer({ PULSE_PROJECT_TOKEN: TOKEN });
    browser = await launchChromium();
    const created = await server.api('/api/users', { body: { ...EXEC, role: 'executive' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // One critical alert per incident type; one is then acknowledged and one resolved, so each tab differs.
    const incidents = { open: 'phishing', acknowledged: 'data_leak', resolved: 'ddos' } as const;
    await capture(
      server.url,
      TOKEN,
      Object.values(incidents).map((incident_type) =>
        ev('security_incident_event', TENANT, {
          incident_type,
          severity: 'critical',
          affects_customer_data: true,
        }),
      ),
    );
    const list = async () =>
      (await server.api<{ alerts: AlertView[] }>(`/api/alerts?tenant=${TENANT}&state=open`)).body.alerts;
    const opened = await vi.waitFor(
      async () => {
        const open = await list();
        expect(open).toHaveLength(3);
        return open;
      },
      { timeout: 5_000, interval: 50 },
    );
    for (const [state, incident] of Object.entries(incidents) as [keyof typeof incidents, string][]) {
      const alert = opened.find((a) => `${a.title} ${a.summary}`.includes(incident));
      if (!alert) throw new Error(`no alert for ${incident}: ${JSON.stringify(opened)}`);
      const verb = state === 'acknowledged' ? 'ack' : state === 'resolved' ? 'resolve' : null;
      const moved = verb
        ? await server.api<AlertView>(`/api/alerts/${alert.id}/${verb}`, { body: {} })
        : null;
      if (moved) expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      alerts[state] = moved?.body ?? alert;
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Fake timers and Date before the first script runs; time still flows unless fast-forwarded.
    await page.clock.install();
    await signIn(page, server.url, EXEC);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Full load of `path` in the shared page, ready once a tab is selected. */
  async function open(path: string): Promise<void> {
    await page.goto(`${server.url}${path}`);
    await page.getByRole('tab', { selected: true }).waitFor();
  }

  it('moves through the alert state tabs with the arrow keys, Home and End, panel and URL following', async () => {
    await open('/alerts');
    await page.locator(`li[data-alert-id="${alerts.open.id}"]`).waitFor();
    await page.getByRole('tab', { selected: true }).focus();
    const id = 'alert-state';
    const first = await tabsOf(page, id);
    expect(first).toMatchObject({ ...selectedTab(id, 'open'), query: '' });
    expect(first.shows).toContain(alerts.open.id);

    const steps = [
      ['ArrowRight', 'acknowledged'],
      ['ArrowRight', 'resolved'],
      ['ArrowRight', 'open'], // wraps to the first
      ['ArrowLeft', 'resolved'], // and back to the last
      ['Home', 'open'],
      ['End', 'resolved'],
      ['ArrowLeft', 'acknowledged'],
    ] as const;
    for (const [key, state] of steps) {
      await page.keyboard.press(key);
      await expect
        .poll(() => tabsOf(page, id), { timeout: 2_000 })
        .toMatchObject({
          ...selectedTab(id, state),
          query: `?state=${state}`,
          // Automatic activation: the panel shows that state's alerts only, this test's among them.
          rows: expect.arrayContaining([state]) as unknown,
          shows: expect.arrayContaining([alerts[state].id]) as unknown,
        });
      const { rows } = await tabsOf(page, id);
      expect(new Set(rows), `${key} -> ${state}`).toEqual(new Set([state]));
    }
    // Keyboard moves replace the history entry rather than stacking one per key press.
    expect((await tabsOf(page, id)).history).toBe(first.history);

    // One tab stop: Tab leaves the tab list for the panel, Shift+Tab comes back to the selected tab.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`${id}-panel`);
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`${id}-tab-acknowledged`);
    expect(pageErrors).toEqual([]);
  });

  it('uses the same keyboard pattern for the report tabs, the CSV link staying outside the tab list', async () => {
    await open('/reports');
    await page.getByTestId('report-performance-dashboard').waitFor();
    await page.getByRole('tab', { selected: true }).focus();
    const id = 'report';
    expect(await page.locator('[role=tablist][aria-label=Report] > :not([role=tab])').count()).toBe(0);
    await expect(page.getByRole('link', { name: 'Download CSV' }).count()).resolves.toBe(1);

    for (const [key, name] of [
      ['ArrowRight', 'cost-optimization'],
      ['ArrowRight', 'performance-dashboard'], // wraps
      ['End', 'cost-optimization'],
      ['Home', 'performance-dashboard'],
      ['ArrowLeft', 'cost-optimization'], // wraps
    ] as const) {
      await page.keyboard.press(key);
      await expect
        .poll(() => tabsOf(page, id), { timeout: 5_000 })
        .toMatchObject({ ...selectedTab(id, name), shows: [`report-${name}`] });
    }
    expect(pageErrors).toEqual([]);
  });

  it('shows a focus ring on the keyboard-focused tab in the light and the dark theme', async () => {
    await open('/alerts');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await page.getByRole('tab', { selected: true }).focus();
      await page.keyboard.press('ArrowRight');
      const ring = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return {
          role: el.getAttribute('role'),
          focusVisible: el.matches(':focus-visible'),
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          offset: parseFloat(style.outlineOffset),
          color: style.outlineColor,
          page: getComputedStyle(document.body).backgroundColor,
        };
      });
      expect(ring, theme).toMatchObject({ role: 'tab', focusVisible: true, style: 'solid' });
      expect(ring.width, theme).toBeGreaterThanOrEqual(2);
      // The offset leaves a gap of page background, so the ring stands apart from the filled selected tab;
      // against that background it needs 3:1 (WCAG 2.2, 1.4.11 non-text contrast).
      expect(ring.offset, theme).toBeGreaterThan(0);
      expect(contrast(ring.color, ring.page), `${theme}: ${ring.color} on ${ring.page}`).toBeGreaterThan(3);
    }
    await page.emulateMedia({ colorScheme: null });
    expect(pageErrors).toEqual([]);
  });

  it('advances a relative time without a reload or a request, pauses it while hidden, catches up when shown', async () => {
    await open('/alerts');
    const time = page.locator(`li[data-alert-id="${alerts.open.id}"] time`);
    await time.waitFor();
    const lastSeen = alerts.open.lastSeen;
    const pageNow = () => page.evaluate(() => Date.now());
    const label = () => time.textContent();

    expect(await time.getAttribute('datetime')).toBe(new Date(lastSeen).toISOString());
    // The exact local date-time, as this browser (its ICU and time zone) writes that instant.
    const local = await page.evaluate(
      (iso) => new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'long' }),
      lastSeen,
    );
    expect(await time.getAttribute('title')).toBe(local);
    const before = await label();
    expect(before).toBe(ago(lastSeen, await pageNow()));

    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.clock.fastForward('02:00');
    await expect.poll(label, { timeout: 1_000 }).not.toBe(before);
    const twoMinutes = await label();
    expect(twoMinutes).toBe(ago(lastSeen, await pageNow()));
    expect(twoMinutes).toMatch(/^2 min ago$/);

    // Hidden (a wall screen's tab in the background): the clock stops, so nothing re-renders...
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        if (h) Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        else delete (document as { hidden?: boolean }).hidden; // back to the prototype's getter
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await page.clock.fastForward('05:00');
    expect(await label()).toBe(twoMinutes);
    // ...and shown again it catches up at once, before the next tick.
    await setHidden(false);
    await expect.poll(label, { timeout: 1_000 }).toBe(ago(lastSeen, await pageNow()));
    expect(await label()).toMatch(/^7 min ago$/);
    expect(await time.getAttribute('datetime')).toBe(new Date(lastSeen).toISOString());
    expect(requests, 'no polling').toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
