// The keyboard: the Ctrl+K command palette (customers, pages, actions), Ctrl+N for a new
// customer and Escape, in Chromium against the fake backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

const CUSTOMERS = [
  { id: 1, name: '深圳市华强电子有限公司', company: '深圳市华强电子有限公司', region: '广东深圳', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', region: 'London', owner: 'Emma Clarke' },
  { id: 3, name: '张伟', kind: 'person', company: 'Beta', pipeline_stage: 'interest' },
];

async function openApp(seed = {}) {
  const page = await open({ seed: { customers: CUSTOMERS, ...seed } });
  await page.getByTestId('customer-row').first().waitFor();
  return page;
}

const palette = (page) => page.getByTestId('command-palette');
const options = async (page) => (await page.getByTestId('palette-option').allTextContents()).map(plain);
const activeOption = async (page) =>
  plain(await page.locator('[data-testid="palette-option"][aria-selected="true"]').textContent());

async function openPalette(page) {
  await page.keyboard.press('Control+k');
  await palette(page).waitFor();
  return page.getByTestId('palette-input');
}

/** Types into the palette and waits until an option with `text` is listed. */
async function typeFor(page, term, text) {
  await page.getByTestId('palette-input').fill(term);
  await page.locator('[data-testid="palette-option"]', { hasText: text }).first().waitFor();
}

describe('command palette', () => {
  test('Ctrl+K opens it with the actions and every page of the sidebar; arrows choose; Escape closes', async () => {
    const page = await openApp();
    await page.getByTestId('new-customer').focus();
    const input = await openPalette(page);
    assert.ok(await input.evaluate((el) => el === document.activeElement), 'the input has the focus');
    assert.equal(await input.getAttribute('role'), 'combobox');
    const shown = await options(page);
    const sidebar = (await page.locator('.nav-item[data-testid^="nav-"]').allTextContents()).map(plain);
    for (const name of sidebar) assert.ok(shown.includes(tr(en, 'palette.go_to', { page: name })), `the ${name} page is offered`);
    assert.deepEqual(shown.slice(0, 4), [
      en.palette.new_customer,
      en.palette.log_interaction,
      en.palette.record_survey,
      en.palette.run_evaluation,
    ]);
    assert.equal(await activeOption(page), en.palette.new_customer);
    await page.keyboard.press('ArrowDown');
    assert.equal(await activeOption(page), en.palette.log_interaction);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    assert.equal(await activeOption(page), shown.at(-1), 'up from the first wraps to the last');
    await assertNothingClipped(page);
    await shoot(page, 'palette-en');
    await page.keyboard.press('Escape');
    await palette(page).waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'new-customer',
      'the focus goes back where it was',
    );
    // Ctrl+K again closes it too.
    await openPalette(page);
    await page.keyboard.press('Control+k');
    await palette(page).waitFor({ state: 'detached' });
  });

  test('finds a customer with the list search and opens the profile', async () => {
    const page = await openApp();
    await openPalette(page);
    await typeFor(page, '华强', '深圳市华强电子有限公司');
    assert.equal(await activeOption(page), `${tr(en, 'palette.open_customer', { name: '深圳市华强电子有限公司' })} 广东深圳 · 王磊`);
    const searches = (await ipcCalls(page, 'list_customers')).filter((c) => c.args.query.search === '华强');
    assert.equal(searches.length, 1, 'one search once the typing stops');
    await page.keyboard.press('Enter');
    await palette(page).waitFor({ state: 'detached' });
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), '深圳市华强电子有限公司');

    await openPalette(page);
    await page.getByTestId('palette-input').fill('没有这个人');
    await page.getByTestId('palette-note').getByText(tr(en, 'palette.nothing_found', { term: '没有这个人' })).waitFor();
    assert.deepEqual(await options(page), []);
  });

  test('goes to a page, the pipeline too', async () => {
    const page = await openApp();
    await openPalette(page);
    await typeFor(page, 'pipe', tr(en, 'palette.go_to', { page: en.nav.pipeline }));
    assert.deepEqual(await options(page), [tr(en, 'palette.go_to', { page: en.nav.pipeline })]);
    await page.keyboard.press('Enter');
    await page.locator('#pipeline-title').waitFor();
    assert.equal(await page.getByTestId('nav-pipeline').getAttribute('aria-current'), 'page');
  });

  test('new customer, and run evaluation', async () => {
    const page = await openApp();
    await openPalette(page);
    await typeFor(page, 'new', en.palette.new_customer);
    await page.keyboard.press('Enter');
    await page.getByTestId('customer-form').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });

    await openPalette(page);
    await typeFor(page, 'evaluation', en.palette.run_evaluation);
    await page.keyboard.press('Enter');
    await page.locator('#segments-title').waitFor();
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'run_evaluation'));
    await page.getByTestId('run-evaluation').and(page.locator(':disabled')).waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'run_evaluation')).length, 1);
  });

  test('logs an interaction for a chosen customer, and for the open one', async () => {
    const page = await openApp();
    await openPalette(page);
    await typeFor(page, 'log', en.palette.log_interaction);
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('palette-input').getAttribute('placeholder'), en.palette.choose_placeholder);
    assert.equal(plain(await page.getByTestId('palette-note').textContent()), en.palette.type_to_search);
    await typeFor(page, 'acme', 'Acme Trading Ltd');
    assert.deepEqual(await options(page), [`${tr(en, 'palette.log_interaction_for', { name: 'Acme Trading Ltd' })} London · Emma Clarke`]);
    await page.keyboard.press('Enter');
    await page.getByTestId('interaction-form').waitFor();
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), 'Acme Trading Ltd');
    await page.keyboard.press('Escape');
    await page.getByTestId('interaction-form').waitFor({ state: 'detached' });

    // With a profile open, its customer comes first.
    await openPalette(page);
    const first = tr(en, 'palette.log_interaction_for', { name: 'Acme Trading Ltd' });
    await page.locator('[data-testid="palette-option"]', { hasText: first }).waitFor();
    await typeFor(page, 'log', first);
    assert.equal(await activeOption(page), first);
    await page.keyboard.press('Enter');
    await page.getByTestId('interaction-form').waitFor();
  });

  test('a survey answer is recorded from the activity of the chosen customer', async () => {
    const page = await openApp();
    await openPalette(page);
    await typeFor(page, 'survey', en.palette.record_survey);
    await page.keyboard.press('Enter');
    await typeFor(page, '张', '张伟');
    // Backspace on an empty input goes back to everything.
    await page.getByTestId('palette-input').fill('');
    await page.keyboard.press('Backspace');
    await page.locator('[data-testid="palette-option"]', { hasText: en.palette.new_customer }).waitFor();
    await typeFor(page, 'survey', en.palette.record_survey);
    await page.keyboard.press('Enter');
    await typeFor(page, '张', '张伟');
    await page.keyboard.press('Enter');
    await page.getByTestId('timeline').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'profile-activity');
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), '张伟');
  });

  test('in Chinese', async () => {
    const page = await openApp({ language: 'zh-CN' });
    await openPalette(page);
    assert.equal(await page.getByTestId('palette-input').getAttribute('placeholder'), zh.palette.placeholder);
    await typeFor(page, '漏斗', tr(zh, 'palette.go_to', { page: zh.nav.pipeline }));
    assert.deepEqual(await options(page), [tr(zh, 'palette.go_to', { page: zh.nav.pipeline })]);
    await page.getByTestId('palette-input').fill('');
    assert.ok((await options(page)).includes(zh.palette.run_evaluation));
    await typeFor(page, '张伟', tr(zh, 'palette.open_customer', { name: '张伟' }));
    assert.equal(plain(await page.locator('.palette-group').last().textContent()), zh.palette.group_customers);
    await assertNothingClipped(page);
    await shoot(page, 'palette-zh-CN');
  });
});

describe('shortcuts', () => {
  test('Ctrl+N opens a new customer form from any page, Escape closes it; not over a dialog', async () => {
    const page = await openApp();
    await page.getByTestId('nav-pipeline').click();
    await page.locator('#pipeline-title').waitFor();
    await page.keyboard.press('Control+n');
    const form = page.getByTestId('customer-form');
    await form.waitFor();
    assert.equal(plain(await form.locator('h2').first().textContent()), en.form.new_title);
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });

    await openPalette(page);
    await page.keyboard.press('Control+n');
    assert.equal(await form.count(), 0, 'the palette keeps the keyboard');
    await page.keyboard.press('Escape');
    await palette(page).waitFor({ state: 'detached' });
  });

  test('Ctrl+N says nothing when the database is read-only', async () => {
    const page = await openApp({ readOnly: true });
    await page.keyboard.press('Control+n');
    await openPalette(page);
    assert.ok(!(await options(page)).includes(en.palette.new_customer));
    assert.equal(await page.getByTestId('customer-form').count(), 0);
  });
});
