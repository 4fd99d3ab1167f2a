// Operators in the dashboard, in headless Chromium against a real hub (SQLite): an owner signs
// in with a password through the form, invites a support operator and an admin on the Operators
// page (the links read from the page) and makes and revokes an admin API key there; the support
// operator accepts through the invitation page, sees a destination without its change controls,
// and a change sent straight from the page with their session and CSRF token is refused 403;
// the admin signs in and renames the destination; the owner finds the rename in the audit log
// under the admin's email. A password change (the owner's other session ends) and sign-out.
// Photographed at 1440×900 and 390×844.
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { operatorWithRole } from '../helpers/operators.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, newPage, screenshot } from '../helpers/browser.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-operators-shots');
const OWNER = 'owner@example.com';
const SUPPORT = 'support@example.com';
const ADMIN = 'admin@example.com';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new long password';
const OLD_NAME = 'GG3';
const NEW_NAME = 'GG3 webhooks';
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

describe.skipIf(!run)('operators and roles in the dashboard', () => {
  let hub: TestHub;
  let browser: Browser;
  let owner: Page;
  let destinationId: string;
  const invites: Record<string, string> = {};
  const consoleErrors: string[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    hub = await startTestHub('sqlite');
    await hub.hub.services.operators.createOwner(OWNER, PASSWORD);
    const created = await hub.admin('/destinations', { body: { name: OLD_NAME, config: { url: 'https://partner.example/pb?uid={user_id}&payout={payout}' } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    destinationId = created.body.id;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  /** A page of its own (its own cookies: another person at another browser). */
  const person = async () => {
    const page = await newPage(browser, { viewport: WIDE }, consoleErrors);
    pages.push(page);
    return page;
  };
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Dashboard' });
  const go = (page: Page, name: string) => nav(page).getByRole('link', { name, exact: true }).click();
  const dialog = (page: Page) => page.locator('dialog[open]');
  const account = (page: Page) => page.locator('.account-button');
  /** Runs what the hub must refuse with `status`: Chromium logs that one failed request, and nothing else may be logged. */
  const refusedWith = async (status: number, act: () => Promise<void>) => {
    const before = consoleErrors.length;
    await act();
    expect(consoleErrors.splice(before)).toEqual([expect.stringContaining(`status of ${status}`)]);
  };
  const signIn = async (page: Page, email: string, password: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  };

  it('signs the owner in with a password through the form, a wrong one refused under it', async () => {
    owner = await person();
    await owner.goto(`${hub.url}/admin/`);
    await owner.getByLabel('Email').waitFor();
    await screenshot(owner, SHOTS, 'sign-in-390', PHONE);
    await screenshot(owner, SHOTS, 'sign-in-1440', WIDE);

    await refusedWith(401, async () => {
      await signIn(owner, OWNER, 'not the password at all');
      await owner.locator('#sign-in-error').getByText('Wrong email or password', { exact: true }).waitFor();
    });
    await signIn(owner, OWNER, PASSWORD);
    await owner.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await account(owner).textContent()).toContain(OWNER);
    expect(await account(owner).textContent()).toContain('owner');
    // A session is a cookie the page cannot read; the browser keeps only a hint that it signed in.
    expect(await owner.evaluate('document.cookie')).toBe('');
    expect(await owner.evaluate('sessionStorage.length')).toBe(0);
    expect(await owner.evaluate('JSON.stringify(localStorage)')).toBe(JSON.stringify({ 'postback-hub.signed-in': '1' }));
  });

  it('invites a support operator and an admin on the Operators page, each link shown once', async () => {
    await go(owner, 'Operators');
    await owner.getByRole('heading', { name: 'Operators & keys', level: 1 }).waitFor();
    for (const [email, role] of [
      [SUPPORT, 'support'],
      [ADMIN, 'admin'],
    ] as const) {
      await owner.getByRole('button', { name: 'Invite operator' }).click();
      await dialog(owner).getByLabel('Email').fill(email);
      // Each role with what it may do, in the hub's words.
      await dialog(owner).getByText('reads everything; approves or rejects held events; adjusts balances').waitFor();
      await dialog(owner).getByRole('radio', { name: new RegExp(`^${role}\\b`) }).check();
      await dialog(owner).getByRole('button', { name: 'Invite', exact: true }).click();
      await owner.getByRole('heading', { name: `Invitation for ${email}` }).waitFor();
      invites[email] = await dialog(owner).getByLabel('Invitation link').inputValue();
      expect(invites[email]).toMatch(new RegExp(`^${hub.url}/admin/accept#token=inv_`));
      await dialog(owner).getByRole('button', { name: 'Done' }).click();
      const row = owner.getByRole('row', { name: new RegExp(email) });
      await row.waitFor();
      expect(await row.getByRole('combobox', { name: `Role of ${email}` }).inputValue()).toBe(role);
      expect(await row.textContent()).toContain('invited');
      expect(await row.textContent()).toContain(OWNER);
    }
    // An address already invited is refused under the field.
    await owner.getByRole('button', { name: 'Invite operator' }).click();
    await dialog(owner).getByLabel('Email').fill(SUPPORT);
    await refusedWith(409, async () => {
      await dialog(owner).getByRole('button', { name: 'Invite', exact: true }).click();
      await dialog(owner).locator('.field.invalid').getByText(`An operator with email ${SUPPORT} already exists`).waitFor();
    });
    await dialog(owner).getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates an admin API key with its scopes (shown once), which works until revoked', async () => {
    await owner.getByRole('button', { name: 'New API key' }).click();
    await dialog(owner).getByLabel('Name').fill('nightly export');
    await dialog(owner).getByRole('checkbox', { name: /^data:read/ }).check();
    await dialog(owner).getByRole('checkbox', { name: /^reports:read/ }).check();
    await dialog(owner).getByRole('button', { name: 'Create key' }).click();
    await owner.getByRole('heading', { name: 'API key nightly export' }).waitFor();
    const key = await dialog(owner).getByLabel('Secret', { exact: true }).inputValue();
    expect(key).toMatch(/^phk_/);
    await dialog(owner).getByRole('button', { name: 'I have stored it' }).click();
    const row = owner.getByRole('row', { name: /nightly export/ });
    expect(await row.textContent()).toContain('data:read reports:read');
    const use = (p: string) => fetch(`${hub.url}/admin/api${p}`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await use('/events')).toBe(200);
    expect(await use('/destinations')).toBe(403);

    await screenshot(owner, SHOTS, 'operators-1440', WIDE);
    await screenshot(owner, SHOTS, 'operators-390', PHONE);
    await owner.setViewportSize(WIDE);

    await row.getByRole('button', { name: 'Revoke key nightly export' }).click();
    await dialog(owner).getByRole('button', { name: 'Revoke key' }).click();
    await owner.getByText('The key nightly export is revoked').waitFor();
    expect(await use('/events')).toBe(401);
  });

  it('lets the support operator accept the invitation, read the destination, and change nothing', async () => {
    const support = await person();
    await support.goto(invites[SUPPORT]!);
    await support.getByRole('heading', { name: 'Set your password' }).waitFor();
    await support.getByLabel('New password').fill(PASSWORD);
    await support.getByLabel('Confirm the password').fill('something else entirely');
    await support.getByRole('button', { name: 'Set password and sign in' }).click();
    await support.getByText('The two passwords differ').waitFor();
    await support.getByLabel('Confirm the password').fill(PASSWORD);
    await support.getByRole('button', { name: 'Set password and sign in' }).click();
    await support.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    // The invitation's token has left the address bar.
    expect(support.url()).toBe(`${hub.url}/admin/`);
    expect(await account(support).textContent()).toContain('support');
    expect(await nav(support).getByRole('link', { name: 'Operators' }).count()).toBe(0);

    await go(support, 'Destinations');
    await support.getByRole('heading', { name: OLD_NAME, level: 2 }).waitFor();
    await support.getByRole('link', { name: 'History', exact: true }).waitFor();
    for (const name of ['New destination', 'Edit', 'Pause', 'Resume', 'Test endpoint', 'Replay failed']) {
      expect(await support.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await screenshot(support, SHOTS, 'support-destinations-1440', WIDE);
    await screenshot(support, SHOTS, 'support-destinations-390', PHONE);
    await support.setViewportSize(WIDE);

    // The server refuses anyway: a change sent from the page with the session and its CSRF token.
    let refused: { status: number; body: { error: string; message: string } } | undefined;
    await refusedWith(403, async () => {
      refused = await support.evaluate(async (id: string) => {
        const session = (await (await fetch('/admin/api/session')).json()) as { csrfToken: string };
        const response = await fetch(`/admin/api/destinations/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: JSON.stringify({ name: 'changed by support' }),
        });
        return { status: response.status, body: (await response.json()) as { error: string; message: string } };
      }, destinationId);
    });
    expect(refused).toMatchObject({ status: 403, body: { error: 'forbidden', message: expect.stringContaining('"config:write"') } });
    expect((await hub.admin(`/destinations/${destinationId}`)).body.name).toBe(OLD_NAME);

    // The fraud policy reads, without its Save.
    await go(support, 'Fraud policy');
    await support.getByRole('heading', { name: 'In force' }).waitFor();
    expect(await support.getByRole('button', { name: 'Save policy' }).count()).toBe(0);
  });

  it('lets the admin operator sign in and rename the destination', async () => {
    const accepted = await fetch(`${hub.url}/admin/api/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: new URL(invites[ADMIN]!).hash.replace('#token=', ''), password: PASSWORD }),
    });
    expect(accepted.status).toBe(200);
    const admin = await person();
    await admin.goto(`${hub.url}/admin/destinations`);
    await signIn(admin, ADMIN, PASSWORD);
    await admin.getByRole('heading', { name: OLD_NAME, level: 2 }).waitFor();
    expect(await account(admin).textContent()).toContain('admin');
    expect(await nav(admin).getByRole('link', { name: 'Operators' }).count()).toBe(0);
    await admin.getByRole('button', { name: 'Edit' }).click();
    await dialog(admin).getByLabel('Name', { exact: true }).fill(NEW_NAME);
    await dialog(admin).getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('heading', { name: NEW_NAME, level: 2 }).waitFor();
    expect((await hub.admin(`/destinations/${destinationId}`)).body.name).toBe(NEW_NAME);
  });

  it("shows the owner the rename in the audit log, under the admin's email", async () => {
    await go(owner, 'Audit log');
    const renamed = owner.getByRole('region', { name: 'Audit log' }).locator('tbody tr').filter({ hasText: 'PATCH /destinations/:id' });
    await renamed.waitFor();
    expect(await renamed.count()).toBe(1);
    const text = (await renamed.textContent()) ?? '';
    expect(text).toContain(ADMIN);
    expect((await renamed.locator('.audit-changes li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toContain(`name: ${OLD_NAME} → ${NEW_NAME}`);
  });

  it("changes the owner's password (their other session ends), and signs out", async () => {
    const elsewhere = await person();
    await elsewhere.goto(`${hub.url}/admin/`);
    await signIn(elsewhere, OWNER, PASSWORD);
    await elsewhere.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    await account(owner).click();
    await owner.getByRole('button', { name: 'Change password' }).click();
    const form = dialog(owner);
    await form.getByLabel('Current password').fill('not my password at all');
    await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await form.getByLabel('Confirm the new password').fill(NEW_PASSWORD);
    // The hub names the field; the message sits under it.
    await refusedWith(400, async () => {
      await form.getByRole('button', { name: 'Change password' }).click();
      await form.locator('.field.invalid').filter({ hasText: 'Current password' }).getByText('currentPassword is not your current password').waitFor();
    });
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('short');
    await form.getByLabel('Confirm the new password').fill('short');
    await refusedWith(400, async () => {
      await form.getByRole('button', { name: 'Change password' }).click();
      await form.locator('.field.invalid').filter({ hasText: 'New password' }).getByText(/^newPassword /).waitFor();
    });
    await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await form.getByLabel('Confirm the new password').fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await owner.getByText('Password changed: your other sessions are signed out.').waitFor();

    // The other session is over: its next request sends it back to sign in, saying why.
    const before = consoleErrors.length;
    await elsewhere.getByRole('button', { name: 'Refresh' }).click();
    await elsewhere.getByText('Your session has ended; sign in again.').waitFor();
    expect(consoleErrors.splice(before).every((e) => /status of 401/.test(e))).toBe(true);

    await account(owner).click();
    await owner.getByRole('button', { name: 'Sign out' }).click();
    await owner.getByText('Signed out.', { exact: true }).waitFor();
    expect(owner.url()).toBe(`${hub.url}/admin/`);
    await owner.reload();
    // Signed out on the hub: a reload does not sign back in.
    await owner.getByLabel('Email').waitFor();
    await signIn(owner, OWNER, NEW_PASSWORD);
    await owner.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });

  it('reads the CSRF token again, once, when another tab has signed in anew', async () => {
    // Another tab of this browser signs in: the cookie now names a new session, which this tab's token is not bound to.
    const tab = await owner.context().newPage();
    await tab.goto(`${hub.url}/healthz`);
    const signedIn = await tab.evaluate(async (body: string) => (await fetch('/admin/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, JSON.stringify({ email: OWNER, password: NEW_PASSWORD }));
    expect(signedIn).toBe(200);
    await tab.close();
    await go(owner, 'Operators');
    await owner.getByRole('button', { name: 'Invite operator' }).click();
    await dialog(owner).getByLabel('Email').fill('late@example.com');
    // The first try is refused for its token (Chromium logs that 403); the retry with the new one goes through.
    await refusedWith(403, async () => {
      await dialog(owner).getByRole('button', { name: 'Invite', exact: true }).click();
      await owner.getByRole('heading', { name: 'Invitation for late@example.com' }).waitFor();
    });
    await dialog(owner).getByRole('button', { name: 'Done' }).click();
  });

  it('shows a finance operator only the pages their role reads, each without a refused request', async () => {
    await operatorWithRole(hub, 'finance@example.com', 'finance', PASSWORD);
    const finance = await person();
    await finance.goto(`${hub.url}/admin/`);
    await signIn(finance, 'finance@example.com', PASSWORD);
    await finance.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const links = (await nav(finance).getByRole('link').allTextContents()).filter((t) => t !== 'API documentation');
    expect(links).toEqual(['Overview', 'Events', 'Reports', 'Postback history', 'Users & ledger', 'Audit log']);
    for (const name of links.slice(1)) {
      await go(finance, name);
      await finance.getByRole('heading', { name, level: 1 }).waitFor();
      await finance.waitForLoadState('networkidle');
    }
    // The history's replay and the CSV: finance exports, never replays.
    await go(finance, 'Postback history');
    await finance.getByRole('button', { name: 'Download CSV' }).waitFor();
    expect(await finance.getByRole('button', { name: 'Replay all failed' }).count()).toBe(0);
    // A page out of the role, by its address: said plainly, nothing asked of the hub.
    await finance.goto(`${hub.url}/admin/destinations`);
    await finance.getByText('Your role does not include this page').waitFor();
  });

  it('logged nothing wrong in the pages', () => {
    expect(consoleErrors).toEqual([]);
  });
});
