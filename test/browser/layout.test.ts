// The dashboard's layout, measured in real Chromium at 1440×900 and 390×844 against a real hub
// (SQLite) and a real receiver: the phone's top bar keeps its height, the events table fits its
// frame, filter panels leave no empty block, the overview's charts read (bars wider than a
// hairline, legends on the latest bucket, dark axis labels, "no deliveries" on an empty chart),
// the oldest-due card agrees with the backlog, money is shown to the cent with the exact amount
// in its title, Reports has its chart, links their counts, deliveries their destination's name
// and attempts numbered across a replay, and focus goes back to what opened a dialog.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../helpers/hub.js';
import { startReceiver } from '../helpers/receiver.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, newPage, screenshot, signInWithToken } from '../helpers/browser.js';
import { HUB_START_MS } from '../helpers/timing.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-layout-shots');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe.skipIf(!run)('the dashboard’s layout at 1440×900 and 390×844', () => {
  let hub: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const longUser = `player-${randomUUID()}`;

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await startTestHub('sqlite', { worker: false });
    receiver = await startReceiver();
    browser = await launchChromium();
    page = await newPage(browser, { viewport: DESKTOP, deviceScaleFactor: 1 }, consoleErrors);
    await signInWithToken(page, hub.url, ADMIN_TOKEN);
  }, HUB_START_MS);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await receiver?.close();
  });

  const open = async (pathname: string, heading: string) => {
    await page.goto(`${hub.url}/admin${pathname}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
  };
  const both = async (name: string, check: () => Promise<void>) => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await check();
      await screenshot(page, SHOTS, `${name}-${viewport.width}`, viewport);
    }
    await page.setViewportSize(DESKTOP);
  };

  it('says "no … in this range" on an empty overview instead of drawing an empty grid', async () => {
    await open('/', 'Overview');
    for (const empty of ['No postbacks in this range.', 'No deliveries in this range.', 'No coins credited or taken back in this range.']) await page.getByText(empty).waitFor();
    expect(await page.locator('.chart canvas').count()).toBe(0);
    await screenshot(page, SHOTS, 'overview-empty-1440', DESKTOP);
  });

  it('keeps the phone’s top bar its own height on short pages, and status pills their own', async () => {
    await page.setViewportSize(PHONE);
    for (const [pathname, heading] of [['/sources', 'Sources'], ['/nowhere', 'Not found'], ['/destinations', 'Destinations']] as const) {
      await open(pathname, heading);
      expect(await page.locator('.topbar').evaluate((e) => e.getBoundingClientRect().height), pathname).toBeLessThanOrEqual(60);
    }
    await page.setViewportSize(DESKTOP);
  });

  it('seeds a source, postbacks, a failing destination and a tracking link', async () => {
    const source = await hub.admin('/sources', {
      body: { slug: 'shop-with-a-rather-long-slug', name: 'Shop', preset: 'generic', overrides: { fields: { user: 'user_id', externalId: 'tx', amount: 'payout' }, reward: { kind: 'fixed', coins: 10 }, defaults: { currency: 'USD' } } },
    });
    expect(source.status).toBe(201);
    const dest = await hub.admin('/destinations', { body: { name: 'Flaky partner', config: { url: `${receiver.url}/flaky?u={user_id}`, retry: { kind: 'schedule', delaysMs: [0, 3_600_000] } } } });
    expect(dest.status).toBe(201);
    const post = (query: string) => fetch(`${hub.url}/postbacks/shop-with-a-rather-long-slug?${query}`).then((r) => r.text());
    await post(`user_id=${longUser}&tx=1&payout=3.600012`);
    await post(`user_id=u-2&tx=2&payout=1.25`);
    await post('tx=3'); // no user: rejected
    await hub.admin('/users', { body: { id: 'clicker' } });
    expect((await hub.admin('/offers', { body: { id: 'quest' } })).status).toBe(201);
    expect((await hub.admin('/links', { body: { id: 'quest-link', offerId: 'quest', partner: 'adnet', config: { target: 'https://quest.example/?c={click_id}' } } })).status).toBe(201);
    expect((await fetch(`${hub.url}/c/quest-link?sub=clicker`, { redirect: 'manual' })).status).toBe(302);
    // Two deliveries fail: each waits an hour for its retry (scheduled, not due).
    receiver.reply({ status: 500 }, { status: 500 });
    await hub.hub.services.worker.runOnce();
    const { items } = (await hub.admin(`/deliveries?destination=${dest.body.id}`)).body;
    expect(items.map((d: any) => d.state)).toEqual(['pending', 'pending']);
  });

  it('draws bars wider than a hairline, legends on the latest bucket, dark axis labels; the cards agree and round money', async () => {
    await both('overview', async () => {
      await open('/', 'Overview');
      await page.locator('.chart canvas').first().waitFor();
      const legends = await page.locator('.chart .u-legend').allTextContents();
      expect(legends).toHaveLength(4);
      for (const legend of legends) {
        expect(legend).toContain('(latest)');
        expect(legend).not.toContain('--');
      }
      // The widest run of the accepted bars' green, and the darkest pixel of the y axis' labels.
      const measured = await page.locator('.chart canvas').first().evaluate((canvas: any) => {
        const { width, height } = canvas;
        const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
        let widest = 0;
        let darkest = 255;
        for (let y = 0; y < height; y++) {
          let run = 0;
          for (let x = 0; x < width; x++) {
            const i = (y * width + x) * 4;
            const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
            run = a > 200 && Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x9d) < 12 && Math.abs(b - 0x55) < 12 ? run + 1 : 0;
            widest = Math.max(widest, run);
            if (x < 50 && a > 200) darkest = Math.min(darkest, (r + g + b) / 3);
          }
        }
        return { widest, darkest };
      });
      expect(measured.widest).toBeGreaterThanOrEqual(3);
      expect(measured.darkest).toBeLessThan(100);
      // Nothing is due (both wait for their retry): the card and the backlog say the same.
      const due = page.locator('.card', { hasText: 'Oldest due delivery' });
      expect(await due.locator('.value').textContent()).toBe('none due');
      expect(await due.locator('.detail').textContent()).toContain('0 due · 2 retrying later');
      const revenue = page.locator('.card', { hasText: 'Revenue' }).locator('.value span');
      expect(await revenue.textContent()).toBe('4.85 USD');
      expect(await revenue.getAttribute('title')).toBe('Exactly 4.850012 USD');
    });
  });

  it('fits the events table in its frame at 1440, its times on two lines at most, and rounds amounts with the exact one in the title', async () => {
    await both('events', async () => {
      await open('/events', 'Events');
      await page.getByRole('row', { name: /rejected/ }).waitFor();
      const fit = await page.locator('.events-table .table-frame').evaluate((frame: any) => {
        const details = [...frame.querySelectorAll('th')].find((th) => th.textContent === 'Details');
        const lineHeight = parseFloat((globalThis as any).getComputedStyle(frame.querySelector('tbody td')).lineHeight);
        return {
          overflow: frame.scrollWidth - frame.clientWidth,
          detailsInside: details.getBoundingClientRect().right <= frame.getBoundingClientRect().right + 1,
          tallestTime: Math.max(...[...frame.querySelectorAll('tbody time')].map((t) => t.getBoundingClientRect().height)) / lineHeight,
        };
      });
      if (page.viewportSize()!.width === DESKTOP.width) {
        expect(fit.overflow).toBeLessThanOrEqual(0);
        expect(fit.detailsInside).toBe(true);
      }
      expect(fit.tallestTime).toBeLessThanOrEqual(2.05);
      const amount = page.getByRole('row', { name: new RegExp(longUser) }).getByText('3.60 USD');
      expect(await amount.getAttribute('title')).toBe('Exactly 3.600012 USD');
    });
  });

  it('leaves no empty block in a filter panel: each row of it is as tall as what it holds', async () => {
    for (const [pathname, heading] of [['/events', 'Events'], ['/history', 'Postback history'], ['/reports', 'Reports'], ['/audit', 'Audit log']] as const) {
      for (const viewport of [DESKTOP, PHONE]) {
        await page.setViewportSize(viewport);
        await open(pathname, heading);
        const slack = await page.locator('.filters').first().evaluate((panel: any) => {
          const style = (globalThis as any).getComputedStyle(panel);
          const inner = panel.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
          const children = [...panel.children];
          const used = children.reduce((sum, c) => sum + c.getBoundingClientRect().height, 0) + parseFloat(style.rowGap) * (children.length - 1);
          // And inside the fields' row, no field sits below an empty space.
          const fields = panel.querySelector('.filter-fields');
          const rowSlack = fields ? Math.max(...[...fields.children].map((f) => f.getBoundingClientRect().top - fields.getBoundingClientRect().top)) : 0;
          return { panel: inner - used, rowSlack, rows: fields ? fields.getBoundingClientRect().height : 0 };
        });
        expect(Math.abs(slack.panel), `${pathname} at ${viewport.width}`).toBeLessThanOrEqual(2);
        expect(slack.rowSlack, `${pathname} at ${viewport.width}`).toBeLessThan(slack.rows);
      }
    }
    await page.setViewportSize(DESKTOP);
  });

  it('charts Reports by day, and lists each link with its clicks and conversions', async () => {
    await both('reports', async () => {
      await open('/reports', 'Reports');
      await page.locator('figure.chart', { hasText: 'Conversions per day (UTC)' }).locator('canvas').waitFor();
      await page.locator('figure.chart', { hasText: 'Revenue per day (UTC)' }).locator('canvas').waitFor();
    });
    await both('catalog', async () => {
      await open('/catalog', 'Catalog');
      const row = page.getByRole('row', { name: /quest-link/ });
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      const headers = await page.locator('section:has(#links-title) th').allTextContents();
      expect(cells[headers.indexOf('Clicks')]).toBe('1');
      expect(cells[headers.indexOf('Conversions')]).toBe('0');
      if (page.viewportSize()?.width === DESKTOP.width) {
        expect(await page.locator('section:has(#links-title) .table-frame').evaluate((f) => f.scrollWidth - f.clientWidth), 'the links table fits at 1440').toBeLessThanOrEqual(0);
      }
    });
  });

  it('names the destination of a delivery and numbers its attempts on across a replay', async () => {
    const [delivery] = (await hub.admin(`/deliveries?state=pending&limit=1`)).body.items;
    const shownPayout = delivery.payout === '1.25' ? '1.25 USD' : '3.60 USD';
    receiver.reply({ status: 500 });
    await hub.admin(`/deliveries/${delivery.id}/replay`, { method: 'POST' });
    await hub.hub.services.worker.runOnce();
    await both('history', async () => {
      await open('/history', 'Postback history');
      const row = page.getByRole('row').filter({ hasText: shownPayout }).first();
      expect(await row.textContent()).toContain('Flaky partner');
    });
    await open('/history', 'Postback history');
    await page.getByRole('row').filter({ hasText: shownPayout }).getByRole('button', { name: 'Attempts' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('heading', { name: /to Flaky partner/ }).waitFor();
    expect(await dialog.locator('.attempt-list strong').allTextContents()).toEqual(['Attempt 1', 'Attempt 2']);
    await page.keyboard.press('Escape');
  });

  it('puts focus back on the button that opened each dialog', async () => {
    const opensDialog = /^(New [a-z ]+|Send test postback|Edit|Test endpoint|Attempts|Clicks|Invite[a-z ]*|Adjust[a-z ]*)$/;
    const checked: string[] = [];
    for (const [pathname, heading] of [['/sources', 'Sources'], ['/destinations', 'Destinations'], ['/history', 'Postback history'], ['/catalog', 'Catalog'], ['/goals', 'Goals'], ['/users?id=clicker', 'Users & ledger'], ['/operators', 'Operators'], ['/alerts', 'Alerts']] as const) {
      await open(pathname, heading);
      const buttons = page.locator('main button:visible:enabled');
      const names = [...new Set((await buttons.allInnerTexts()).map((t) => t.trim()).filter((t) => opensDialog.test(t)))];
      for (const name of names) {
        const button = page.locator('main button:visible:enabled', { hasText: new RegExp(`^${name}$`) }).first();
        if ((await button.count()) === 0) continue;
        await button.evaluate((b) => b.setAttribute('data-opener', 'yes'));
        await button.click();
        // Some open only once their request is answered (Test endpoint).
        await page.waitForLoadState('networkidle');
        const dialog = page.locator('dialog[open]');
        if ((await dialog.count()) === 0) {
          await button.evaluate((b) => b.removeAttribute('data-opener'));
          continue;
        }
        // Once what it loads is in (a dialog may show a loading state first, then its form).
        await page.waitForLoadState('networkidle');
        await page.locator('dialog[open] .state.loading').waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
        await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
        await expect.poll(() => page.evaluate<string | undefined>("document.activeElement?.getAttribute('data-opener') ?? document.activeElement?.outerHTML.slice(0, 80)"), { message: `${pathname}: ${name}` }).toBe('yes');
        await button.evaluate((b) => b.removeAttribute('data-opener'));
        checked.push(`${pathname}: ${name}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(8);
    console.log(`focus returned after: ${checked.join('; ')}`);
  });

  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
