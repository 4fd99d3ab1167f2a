// Goals in the dashboard, in headless Chromium against a real hub (SQLite): a group goal made in
// the Goals page's form (GG3's three main quests, with a bonus), the API's complaints shown under
// the condition or the id they name; platform events sent through the API and the user's Goals panel
// following them (1 of 3 met, then all met and completed once) with the bonus in the ledger; a
// repeating count (GGStrike's button) at 3 of 5 and past its first completion; a goal edited,
// disabled and enabled; a destination that matches completed goals; a goal deleted after a
// confirmation. The Goals page and the user page are photographed at 1440×900 and 390×844.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, postJson, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserAvailable, ensureDashboardBuilt, launchChromium, newPage, screenshot, signInWithToken } from '../helpers/browser.js';

const run = browserAvailable();
const SHOTS = process.env.SCREENSHOTS_DIR ?? path.join(os.tmpdir(), 'postback-hub-goals-shots');
const USER = 'gg3-player-17';
const QUESTS = 'Multi MainQuest Complete';

describe.skipIf(!run)('goals in the dashboard', () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  let secret: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    fs.mkdirSync(SHOTS, { recursive: true });
    hub = await startTestHub('sqlite');
    browser = await launchChromium();
    page = await newPage(browser, { viewport: { width: 1440, height: 900 } }, consoleErrors);
    secret = (await hub.admin('/api-secrets', { body: { name: 'GG3 studio' } })).body.secret;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const dialog = () => page.locator('dialog[open]');
  const nav = (name: string) => page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();
  const section = (title: string) => page.locator('section', { has: page.getByRole('heading', { name: title, level: 2 }) });
  const goalRow = (name: string) => page.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });
  const progressOf = (name: string) => section('Goals').getByRole('listitem').filter({ has: page.getByRole('heading', { name, level: 3 }) });
  /** A data value's "=" is held to its key and value by no-break spaces. */
  const spaced = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');
  const checklist = async (item: Locator) => (await item.getByRole('list', { name: /^Conditions of / }).getByRole('listitem').allTextContents()).map(spaced);
  /** Accepts (or dismisses) the next window.confirm; Playwright would dismiss it anyway. */
  const answerConfirm = (expected: RegExp, accept: boolean) =>
    page.once('dialog', (d) => {
      expect(d.message()).toMatch(expected);
      void (accept ? d.accept() : d.dismiss());
    });
  let sent = 0;
  async function send(type: string, data: Record<string, string> = {}): Promise<void> {
    const answer = await postJson(`${hub.url}/api/events`, { type, idempotencyKey: `k-${++sent}`, userId: USER, data }, { authorization: `Bearer ${secret}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.outcome).toBe('accepted');
  }
  async function openUser(): Promise<void> {
    await nav('Users & ledger');
    await page.getByLabel('User id').fill(USER);
    await page.getByRole('button', { name: 'Find user' }).click();
    await section('Goals').waitFor();
  }
  const refreshGoals = () => section('Goals').getByRole('button', { name: 'Refresh' }).click();
  const shoot = (name: string, viewport: { width: number; height: number }) => screenshot(page, SHOTS, name, viewport);

  it('creates a group goal through the form, with the hub’s complaint under the condition it names', async () => {
    await signInWithToken(page, hub.url, ADMIN_TOKEN);
    await nav('Goals');
    await page.getByRole('heading', { name: 'Goals', level: 1 }).waitFor();
    await page.getByText('No goal yet.').waitFor();

    await page.getByRole('button', { name: 'New goal' }).click();
    const form = dialog();
    await form.getByLabel('Name', { exact: true }).fill(QUESTS);
    await form.getByLabel('Goal id').fill('mainquest-3');
    expect(await form.getByLabel('Group: all of up to 10 conditions', { exact: false }).isChecked()).toBe(true);
    // A new group has two conditions; a third is added.
    expect(await form.getByRole('group', { name: /^Condition \d+$/ }).count()).toBe(2);
    await form.getByRole('button', { name: 'Add condition' }).click();
    for (const i of [1, 2]) {
      const condition = form.getByRole('group', { name: `Condition ${i}` });
      await condition.getByLabel('Event type').fill('mainquest_complete');
      await condition.getByLabel('Data key 1', { exact: true }).fill('questId');
      await condition.getByLabel('Data value 1', { exact: true }).fill(`q${i}`);
    }
    await form.getByLabel('Window', { exact: true }).fill('7');
    await form.getByLabel('Window unit').selectOption('d');
    await form.getByLabel('Bonus coins').fill('100');

    // The third condition is left empty: the hub refuses it, naming config.conditions.2.
    await form.getByRole('button', { name: 'Create goal' }).click();
    const third = form.getByRole('group', { name: 'Condition 3' });
    await third.locator('.field-error').waitFor();
    expect(await third.locator('.field-error').textContent()).toBe('Must name at least one of eventType, offer, source, levelAtLeast, data');
    expect(await form.getByRole('alert').count()).toBe(0);
    expect(await page.evaluate<string | null>('document.activeElement?.getAttribute("placeholder") ?? null')).toBe('e.g. mainquest_complete');
    expect((await hub.admin('/goals')).body.items).toEqual([]);
    await third.screenshot({ path: path.join(SHOTS, 'goal-form-error-1440.png') });

    await third.getByLabel('Event type').fill('mainquest_complete');
    await third.getByLabel('Data key 1', { exact: true }).fill('questId');
    await third.getByLabel('Data value 1', { exact: true }).fill('q3');
    await form.getByRole('button', { name: 'Create goal' }).click();
    await page.getByText(`${QUESTS} created (id mainquest-3).`).waitFor();

    const text = spaced(await goalRow(QUESTS).textContent());
    expect(text).toContain('mainquest-3');
    expect(text).toContain('All of 3, any order');
    expect(text).toContain('mainquest_complete with questId = q1');
    expect(text).toContain('mainquest_complete with questId = q3');
    expect(text).toContain('7 d');
    expect(text).toContain('100 coins');
    expect(text).toContain('enabled');
    expect((await hub.admin('/goals/mainquest-3')).body).toMatchObject({
      name: QUESTS,
      enabled: true,
      config: {
        kind: 'all',
        conditions: [1, 2, 3].map((i) => ({ eventType: 'mainquest_complete', data: { questId: `q${i}` } })),
        windowSeconds: 7 * 86_400,
        bonusCoins: 100,
      },
    });
  });

  it('follows the user’s progress: 1 of 3 met, then all met and completed once, with the bonus in the ledger', async () => {
    await send('mainquest_complete', { questId: 'q1' });
    await openUser();
    const quests = progressOf(QUESTS);
    await expect.poll(() => quests.locator('.goal-summary').textContent()).toBe('1 of 3 met');
    expect(await checklist(quests)).toEqual([
      'Met: mainquest_complete with questId = q1',
      'Not met: mainquest_complete with questId = q2',
      'Not met: mainquest_complete with questId = q3',
    ]);
    expect(await quests.locator('.badge').first().textContent()).toBe('in progress');
    expect(await quests.textContent()).toMatch(/Completednot yet/);
    expect(await quests.textContent()).toMatch(/Windowends /);
    await section('Goals').screenshot({ path: path.join(SHOTS, 'user-goals-in-progress-1440.png') });

    // A quest done twice counts once; the last one completes the goal.
    await send('mainquest_complete', { questId: 'q1' });
    await send('mainquest_complete', { questId: 'q3' });
    await send('some_other_event', { questId: 'q2' });
    await refreshGoals();
    await expect.poll(() => quests.locator('.goal-summary').textContent()).toBe('2 of 3 met');
    await send('mainquest_complete', { questId: 'q2' });
    await refreshGoals();
    await expect.poll(() => quests.locator('.goal-summary').textContent()).toBe('3 of 3 met');
    expect(await checklist(quests)).toEqual([1, 2, 3].map((i) => `Met: mainquest_complete with questId = q${i}`));
    expect(await quests.locator('.badge').first().textContent()).toBe('completed');
    expect(await quests.textContent()).toMatch(/Completedonce/);
    // Completed: no window to watch any more.
    expect(await quests.textContent()).not.toContain('Window');

    // Once: a further quest completes nothing.
    await send('mainquest_complete', { questId: 'q3' });
    await refreshGoals();
    const progress = (await hub.admin(`/users/${USER}/goals`)).body.items;
    expect(progress).toMatchObject([{ goal: { id: 'mainquest-3' }, met: [true, true, true], completions: 1 }]);

    // The ledger (read again: the goal's bonus came after the page loaded).
    await nav('Goals');
    await openUser();
    const bonus = section('Ledger').getByRole('row', { name: /Goal “Multi MainQuest Complete” completed/ });
    await bonus.waitFor();
    expect(await bonus.textContent()).toContain('+100');
    expect(await bonus.textContent()).toContain('a bonus of 100 coins');
    expect(await section('Ledger').getByRole('row', { name: /Goal “/ }).count()).toBe(1);
    expect((await hub.admin(`/events?user=${USER}&limit=100`)).body.items.filter((e: { type: string }) => e.type === 'goal')).toHaveLength(1);
  });

  it('creates a repeating count and shows 3 of 5, then the next round after a completion', async () => {
    await nav('Goals');
    await page.getByRole('button', { name: 'New goal' }).click();
    const form = dialog();
    await form.getByLabel('Name', { exact: true }).fill('GGStrike');
    await form.getByLabel('Goal id').fill('mainquest-3');
    await form.getByLabel('Count: a number of matching events', { exact: false }).check();
    await form.getByLabel('Count', { exact: true }).fill('5');
    await form.getByLabel(/Repeat: complete again/).check();
    await form.getByLabel('Bonus coins').fill('10');
    // Nothing to match: the hub names config.condition.
    await form.getByRole('button', { name: 'Create goal' }).click();
    const counted = form.getByRole('group', { name: 'Events that count' });
    await counted.locator('.field-error').waitFor();
    expect(await counted.locator('.field-error').textContent()).toMatch(/^Must name at least one of eventType/);

    await counted.getByLabel('Event type').fill('gg_button');
    // The id is taken: said under the id.
    await form.getByRole('button', { name: 'Create goal' }).click();
    await form.getByText('A goal with id "mainquest-3" already exists').waitFor();
    expect(await counted.locator('.field-error').count()).toBe(0);
    expect(await form.locator('.field.invalid').getByLabel('Goal id').count()).toBe(1);
    await form.getByLabel('Goal id').fill('ggstrike');
    await form.getByRole('button', { name: 'Create goal' }).click();
    await page.getByText('GGStrike created (id ggstrike).').waitFor();
    const text = await goalRow('GGStrike').textContent();
    expect(text).toContain('Every 5 events');
    expect(text).toContain('gg_button');
    expect(text).toContain('10 coins each time');
    expect(text).toContain('none');
    expect((await hub.admin('/goals/ggstrike')).body.config).toEqual({ kind: 'count', condition: { eventType: 'gg_button' }, count: 5, repeat: true, bonusCoins: 10 });

    for (let i = 0; i < 3; i++) await send('gg_button');
    await openUser();
    const strike = progressOf('GGStrike');
    await expect.poll(() => strike.locator('.goal-summary').textContent()).toBe('3 of 5');
    expect(await strike.getByRole('progressbar').getAttribute('value')).toBe('3');
    expect(await strike.locator('.badge').first().textContent()).toBe('in progress');

    for (let i = 0; i < 3; i++) await send('gg_button');
    await refreshGoals();
    await expect.poll(() => strike.locator('.goal-summary').textContent()).toBe('1 of 5 toward the next');
    expect(await strike.locator('.badge').first().textContent()).toBe('completed once');
  });

  it('edits a goal, and disables and enables one', async () => {
    await nav('Goals');
    await page.getByRole('button', { name: `Edit goal ${QUESTS}` }).click();
    const form = dialog();
    // The form holds what was saved.
    expect(await form.getByLabel('Goal id').isDisabled()).toBe(true);
    expect(await form.getByLabel('Goal id').inputValue()).toBe('mainquest-3');
    expect(await form.getByRole('group', { name: /^Condition \d+$/ }).count()).toBe(3);
    expect(await form.getByRole('group', { name: 'Condition 2' }).getByLabel('Data value 1', { exact: true }).inputValue()).toBe('q2');
    expect(await form.getByLabel('Window', { exact: true }).inputValue()).toBe('7');
    expect(await form.getByLabel('Window unit').inputValue()).toBe('d');
    expect(await form.getByText('Progress is kept by position').count()).toBe(1);

    await form.getByLabel('Name', { exact: true }).fill('Main quests 1 to 3');
    await form.getByLabel('Bonus coins').fill('150');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Main quests 1 to 3 saved: it applies from the next event on.').waitFor();
    expect(await goalRow('Main quests 1 to 3').textContent()).toContain('150 coins');
    expect((await hub.admin('/goals/mainquest-3')).body).toMatchObject({ name: 'Main quests 1 to 3', config: { bonusCoins: 150, windowSeconds: 604_800 } });

    await page.getByRole('button', { name: 'Disable goal GGStrike' }).click();
    await page.getByText('GGStrike is disabled').waitFor();
    await expect.poll(() => goalRow('GGStrike').locator('.badge').textContent()).toBe('disabled');
    expect((await hub.admin('/goals/ggstrike')).body.enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable goal GGStrike' }).click();
    await page.getByText('GGStrike is enabled').waitFor();
    expect((await hub.admin('/goals/ggstrike')).body.enabled).toBe(true);
  });

  it('lets a destination match completed goals', async () => {
    await nav('Destinations');
    await page.getByRole('button', { name: 'New destination' }).click();
    const form = dialog();
    await form.getByLabel('Name', { exact: true }).fill('GG3 goals');
    await form.getByLabel('URL template').fill('http://127.0.0.1:9/goal?uid={user_id}');
    await form.getByLabel('Goals').fill('mainquest-3, ggstrike');
    await form.getByRole('group', { name: 'Which events (empty: all)' }).screenshot({ path: path.join(SHOTS, 'destination-match-1440.png') });
    await form.getByRole('button', { name: 'Create destination' }).click();
    await page.getByText('completed goals mainquest-3, ggstrike').waitFor();
    const [destination] = (await hub.admin('/destinations')).body.items;
    expect(destination.config.match).toEqual({ goals: ['mainquest-3', 'ggstrike'] });
    await page.getByRole('button', { name: 'Edit' }).click();
    expect(await dialog().getByLabel('Goals').inputValue()).toBe('mainquest-3, ggstrike');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
  });

  it('photographs the Goals page and the user page', async () => {
    await nav('Goals');
    await goalRow('GGStrike').waitFor();
    await shoot('goals-page-1440', { width: 1440, height: 900 });
    await shoot('goals-page-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('button', { name: 'Edit goal GGStrike' }).click();
    await shoot('goal-form-count-1440', { width: 1440, height: 900 });
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'New goal' }).click();
    await dialog().getByRole('group', { name: 'Condition 1' }).getByLabel('Event type').fill('mainquest_complete');
    await shoot('goal-form-group-1440', { width: 1440, height: 900 });
    await dialog().getByRole('button', { name: 'Create goal' }).scrollIntoViewIfNeeded();
    await shoot('goal-form-group-end-1440', { width: 1440, height: 900 });
    await shoot('goal-form-group-390', { width: 390, height: 844 });
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await page.setViewportSize({ width: 1440, height: 900 });

    await openUser();
    await progressOf('GGStrike').locator('.goal-summary').waitFor();
    await shoot('user-goals-1440', { width: 1440, height: 900 });
    await shoot('user-goals-390', { width: 390, height: 844 });
    await section('Goals').screenshot({ path: path.join(SHOTS, 'user-goals-panel-390.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('deletes a goal after a confirmation', async () => {
    await nav('Goals');
    answerConfirm(/Delete the goal GGStrike\? Every user’s progress toward it is deleted/, false);
    await page.getByRole('button', { name: 'Delete goal GGStrike' }).click();
    expect((await hub.admin('/goals/ggstrike')).status).toBe(200);
    expect(await goalRow('GGStrike').count()).toBe(1);

    answerConfirm(/Delete the goal GGStrike\?/, true);
    await page.getByRole('button', { name: 'Delete goal GGStrike' }).click();
    await page.getByText('GGStrike deleted.').waitFor();
    await expect.poll(() => goalRow('GGStrike').count()).toBe(0);
    expect((await hub.admin('/goals/ggstrike')).status).toBe(404);

    await openUser();
    await progressOf('Main quests 1 to 3').waitFor();
    expect(await section('Goals').getByRole('heading', { name: 'GGStrike' }).count()).toBe(0);
    // The intended 400s and 409 (the refused forms) are the only errors the page logged.
    expect(consoleErrors.filter((e) => !/400|Bad Request|409|Conflict/i.test(e))).toEqual([]);
  });
});
