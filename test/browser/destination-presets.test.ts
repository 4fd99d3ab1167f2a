// The destination presets in the dashboard, in headless Chromium against a real hub (SQLite):
// Keitaro picked in the new-destination form, its domain and key filled in, saved; Standard
// Webhooks with an existing whsec_ secret imported (never shown back). Photographed at
// 1440×900 and 390×844.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, newPage, screenshot, signInWithToken } from '../helpers/browser.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-preset-shots');
const IMPORTED = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe.skipIf(!run)('destination presets in the dashboard', () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    hub = await startTestHub('sqlite');
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } }, consoleErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  const nav = (name: string) => page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();
  const shoot = (name: string, viewport: { width: number; height: number }) => screenshot(page, SHOTS, name, viewport);

  it('fills the form from the Keitaro preset; the domain and key typed go into the URL', async () => {
    await signInWithToken(page, hub.url, ADMIN_TOKEN);
    await nav('Destinations');
    await page.getByRole('button', { name: 'New destination' }).click();

    const form = dialog();
    await form.getByLabel('Preset', { exact: true }).selectOption({ label: 'Keitaro' });
    await form.getByText('Keitaro’s postback: subid, status=sale, payout, currency, tid').waitFor();
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('Keitaro');
    const url = form.getByLabel('URL template');
    expect(await url.inputValue()).toBe('https://<tracker-domain>/<postback-key>/postback?subid={click_id}&status=sale&payout={payout}&currency={currency}&tid={transaction_id}');
    expect(await form.getByLabel('Policy').inputValue()).toBe('exponential');

    await form.getByLabel('Keitaro tracker domain').fill('track.example.com');
    expect(await url.inputValue()).toBe('https://track.example.com/<postback-key>/postback?subid={click_id}&status=sale&payout={payout}&currency={currency}&tid={transaction_id}');
    await form.getByLabel('Keitaro postback key (Maintenance → Postback URL)').fill('e89bcbe');
    await form.getByLabel('Event types').fill('conversion');
    await shoot('destination-preset-keitaro-1440', { width: 1440, height: 900 });
    await shoot('destination-preset-keitaro-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1440, height: 900 });

    await form.getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('heading', { name: 'Keitaro', level: 2 }).waitFor();
    const [saved] = (await hub.admin('/destinations')).body.items;
    expect(saved.config).toMatchObject({
      url: 'https://track.example.com/e89bcbe/postback?subid={click_id}&status=sale&payout={payout}&currency={currency}&tid={transaction_id}',
      method: 'GET',
      match: { eventTypes: ['conversion'] },
      retry: { kind: 'exponential', baseMs: 30_000, capMs: 3_600_000, maxAttempts: 12, jitter: true },
      success: { kind: '2xx' },
    });
    await shoot('destinations-with-preset-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('imports an existing signing secret for a Standard Webhooks destination, and never shows it back', async () => {
    await page.getByRole('button', { name: 'New destination' }).click();
    const form = dialog();
    await form.getByLabel('Preset', { exact: true }).selectOption({ label: 'Standard Webhooks (signed JSON)' });
    expect(await form.getByLabel('Method').inputValue()).toBe('POST');
    expect(await form.getByLabel('Signing', { exact: true }).inputValue()).toBe('standard-webhooks');
    await form.getByLabel('Name', { exact: true }).fill('Receiver');
    await form.getByLabel("Receiver's domain").fill('hooks.example.com');
    await form.getByLabel("Receiver's path").fill('postback-hub');
    // A secret that cannot sign: the hub says which field and why, and the form stays open.
    await form.getByLabel('Import an existing signing secret').fill('whsec_c2hvcnQ=');
    await form.getByRole('button', { name: 'Create destination' }).click();
    await form.getByText('signingSecret must hold 24 to 64 bytes (it holds 5)').waitFor();
    await form.getByLabel('Import an existing signing secret').fill(IMPORTED);
    const signing = form.locator('fieldset', { hasText: 'Authentication and signing' });
    for (const [name, viewport] of [['destination-import-secret-1440', { width: 1440, height: 900 }], ['destination-import-secret-390', { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      await signing.scrollIntoViewIfNeeded();
      await shoot(name, viewport);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await form.getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('heading', { name: 'Receiver', level: 2 }).waitFor();
    // No "shown once" dialog: the secret is the operator's own.
    expect(await page.getByRole('heading', { name: 'Signing secret' }).count()).toBe(0);
    const receiver = (await hub.admin('/destinations')).body.items.find((d: { name: string }) => d.name === 'Receiver');
    expect(receiver).toMatchObject({ hasSigningSecret: true, config: { url: 'https://hooks.example.com/postback-hub', signing: { kind: 'standard-webhooks' } } });
    expect(JSON.stringify(receiver)).not.toContain(IMPORTED.slice(6));
    expect(consoleErrors.filter((e) => !/400|Bad Request/i.test(e))).toEqual([]);
  });
});
