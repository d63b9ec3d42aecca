// The customer list's first page, read while My day (the first page) is shown: the list opened
// next draws it without waiting, then reads again and shows what changed; anything saved in
// between drops it, and a failed read leaves the list as it was without it. In Chromium
// against the fake backend; needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { en, ipcCalls, tr, useApp, waitForNames, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const CUSTOMERS = [
  { id: 1, name: 'Acme Trading Ltd', owner: 'Emma Clarke' },
  { id: 2, name: 'Blue Harbor Coffee', owner: 'Daniel Kim' },
  { id: 3, name: '张伟', kind: 'person', owner: '陈静' },
];
const NAMES = ['Acme Trading Ltd', 'Blue Harbor Coffee', '张伟'];

/** How late the list's own reads answer in these tests: far longer than drawing takes. */
const SLOW_MS = 1500;

const listCalls = (page) => ipcCalls(page, 'list_customers');

/** Opens the app on My day and waits until the list's first page has been read. */
async function openMyDay(seed = {}) {
  const page = await open({ seed: { customers: CUSTOMERS, ...seed }, view: 'my-day' });
  await page.locator('#my-day-title').waitFor();
  await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'list_customers'));
  return page;
}

/** From now on the list's reads answer SLOW_MS late. */
const slowList = (page) => page.evaluate((ms) => window.__fake.delay('list_customers', ms), SLOW_MS);

/** The customer's name changed in the file, as another process would change it. */
const renameInFile = (page, id, name) =>
  page.evaluate(([id, name]) => {
    window.__fake.customers.find((c) => c.id === id).name = name;
  }, [id, name]);

const nameTexts = (page) => page.locator('[data-testid="customer-row"] [data-testid="customer-name"]').allTextContents();

describe('the customer list read ahead', () => {
  for (const [language, messages] of [
    ['en', en],
    ['zh-CN', zh],
  ]) {
    test(`opened after My day, it is drawn at once and then read again (${language})`, async () => {
      const page = await openMyDay({ language });
      const [ahead] = await listCalls(page);
      assert.equal((await listCalls(page)).length, 1, 'read once');
      // Let the read be answered, then make the list's own reads slow and change a name.
      await page.waitForTimeout(100);
      await slowList(page);
      await renameInFile(page, 2, 'Blue Harbor Roasters');

      await page.getByTestId('nav-customers').click();
      // Drawn from the page read ahead, long before the list's own read can answer.
      await page.getByTestId('customer-row').first().waitFor({ timeout: SLOW_MS / 2 });
      assert.deepEqual(await nameTexts(page), NAMES);
      assert.equal(await page.locator('#customers-title').textContent(), tr(messages, 'customers.title'));
      assert.equal(await page.getByTestId('customer-count').textContent(), tr(messages, 'customers.count_other', { count: 3 }));
      // The list reads the same query again, and shows it undimmed meanwhile.
      const calls = await listCalls(page);
      assert.equal(calls.length, 2);
      assert.deepEqual(calls[1].args, ahead.args, 'the read ahead asked what the list asks');
      assert.equal(await page.locator('.table-wrap.busy').count(), 0);
      assert.equal(await page.locator('p.loading').count(), 0);

      // Its answer replaces the rows that changed.
      await waitForNames(page, ['Acme Trading Ltd', 'Blue Harbor Roasters', '张伟']);
      assert.equal((await listCalls(page)).length, 2);
    });
  }

  test('an answer equal to the page shown changes nothing on screen', async () => {
    const page = await openMyDay();
    await page.waitForTimeout(100);
    await slowList(page);
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-row').first().waitFor({ timeout: SLOW_MS / 2 });
    // Every change to the table from the rows drawn until well after the check has answered.
    await page.evaluate(() => {
      window.__tableChanges = [];
      new MutationObserver((records) => window.__tableChanges.push(...records.map((r) => `${r.type} ${r.attributeName ?? ''}`))).observe(
        document.querySelector('.table-wrap'),
        { subtree: true, childList: true, characterData: true, attributes: true },
      );
    });
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'list_customers').length === 2);
    await page.waitForTimeout(SLOW_MS + 300);
    assert.deepEqual(await nameTexts(page), NAMES);
    assert.deepEqual(await page.evaluate(() => window.__tableChanges), []);
  });

  test('opened while the page is still being read, the list waits for it rather than reading twice', async () => {
    const page = await openMyDay({ delays: { list_customers: 800 } });
    await page.getByTestId('nav-customers').click();
    await page.locator('p.loading').waitFor();
    await page.waitForTimeout(300);
    assert.equal((await listCalls(page)).length, 1, 'no second read while the first is on its way');
    await waitForNames(page, NAMES);
    // Then it checks what it drew.
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'list_customers').length === 2);
  });

  test('a customer saved after the read drops the page: the list waits for its own read', async () => {
    const page = await openMyDay();
    await page.waitForTimeout(100);
    await page.keyboard.press('Control+n');
    await page.locator('#customer-name').fill('Northwind Supplies');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    await slowList(page);

    await page.getByTestId('nav-customers').click();
    // Not the page read before the save: nothing until the list's own read answers.
    await page.locator('p.loading').waitFor();
    await page.waitForTimeout(SLOW_MS / 2);
    assert.equal(await page.getByTestId('customer-row').count(), 0);
    await waitForNames(page, ['Acme Trading Ltd', 'Blue Harbor Coffee', 'Northwind Supplies', '张伟']);
    assert.equal(await page.getByTestId('customer-count').textContent(), tr(en, 'customers.count_other', { count: 4 }));
  });

  test('an evaluation finished after the read drops the page, before its list rows are built', async () => {
    const page = await openMyDay({ evaluation: { stageDelayMs: 5 }, delays: { build_latest_standings: 5000 } });
    await page.waitForTimeout(100);
    await page.getByTestId('nav-segments').click();
    await page.getByTestId('run-evaluation').click();
    await page.locator('.toast').filter({ hasText: tr(en, 'segments.run_done_other', { count: 3 }) }).waitFor();
    await slowList(page);

    await page.getByTestId('nav-customers').click();
    await page.locator('p.loading').waitFor();
    await page.waitForTimeout(SLOW_MS / 2);
    assert.equal(await page.getByTestId('customer-row').count(), 0);
    await waitForNames(page, NAMES);
  });

  test('a failed read is not shown: the list reads for itself', async () => {
    const failure = { code: 'database', message: 'database error: disk I/O error', details: { fields: [], params: {} } };
    const page = await openMyDay({ failures: { list_customers: [failure] } });
    await page.waitForTimeout(100);
    assert.equal(await page.getByTestId('error-banner').count(), 0, 'My day says nothing of it');
    await page.getByTestId('nav-customers').click();
    await waitForNames(page, NAMES);
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    assert.equal((await listCalls(page)).length, 2);
  });

  test('read once per start: coming back to My day does not read the list again', async () => {
    const page = await openMyDay();
    await page.getByTestId('nav-agenda').click();
    await page.getByTestId('nav-my-day').click();
    await page.locator('#my-day-title').waitFor();
    await page.waitForTimeout(300);
    assert.equal((await listCalls(page)).length, 1);
  });
});
