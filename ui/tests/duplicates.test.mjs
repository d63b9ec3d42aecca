// The customer form's warning of possible duplicates, and "customer since" on the profile, in
// Chromium against the fake backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const CUSTOMERS = [
  {
    id: 1,
    name: '张伟',
    kind: 'person',
    company: '深圳市华强电子有限公司',
    phone: '138 0013 8000',
    email: 'zhang.wei@huaqiang.cn',
    created_at: '2025-01-15T09:30:00.000Z',
  },
  { id: 2, name: 'Maria Rossi', kind: 'person', email: 'maria.rossi@example.it', created_at: '2025-01-15T09:30:00.000Z' },
  // Imported on 2025-01-15 with orders from years before.
  { id: 3, name: '王芳', kind: 'person', phone: '139 0013 9000', created_at: '2025-01-15T09:30:00.000Z' },
];

const ORDERS = [
  { id: 1, customer_id: 3, ordered_on: '2021-04-09', amount_minor: 5000, currency: 'CNY', lines: [] },
  { id: 2, customer_id: 3, ordered_on: '2024-11-30', amount_minor: 8000, currency: 'CNY', lines: [] },
  { id: 3, customer_id: 2, ordered_on: '2025-03-01', amount_minor: 8000, currency: 'CNY', lines: [] },
];

const SEED = { customers: CUSTOMERS, orders: ORDERS };

const open = useApp({ before, after, afterEach });

const rows = (page) => page.locator('[data-testid="customer-row"]');
const warning = (page) => page.getByTestId('duplicate-warning');
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();

async function newCustomer(page, { name, phone = '', email = '', company = '' }) {
  await rows(page).first().waitFor();
  await page.getByTestId('new-customer').click();
  await page.locator('#customer-name').fill(name);
  if (company) await page.locator('#customer-company').fill(company);
  if (phone) await page.locator('#customer-phone').fill(phone);
  if (email) await page.locator('#customer-email').fill(email);
}

describe('possible duplicates', () => {
  test('a customer with the same phone is shown as it is typed, and its link opens that profile', async () => {
    const page = await open({ seed: SEED });
    await newCustomer(page, { name: '张伟', phone: '+86 138-0013-8000' });
    await warning(page).waitFor();
    assert.equal(plain(await warning(page).locator('.duplicates-title').textContent()), tr(en, 'duplicates.title_one'));
    const item = page.getByTestId('duplicate-1');
    assert.match(plain(await item.textContent()), /张伟 · 深圳市华强电子有限公司/);
    assert.ok(plain(await item.textContent()).includes(tr(en, 'duplicates.matched', { reasons: en.duplicates.match_phone })));
    assert.equal(await page.getByTestId('save-anyway').count(), 0, 'Save anyway waits for Save');
    const sent = (await ipcCalls(page, 'find_possible_duplicates')).at(-1).args.draft;
    assert.deepEqual(sent, { name: '张伟', company: null, phones: ['+86 138-0013-8000'], emails: [], editing: null });
    await shoot(page, 'duplicate-warning-en');

    await page.getByTestId('open-duplicate-1').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    await page.getByTestId('profile-name').filter({ hasText: '张伟' }).waitFor();
    assert.equal((await ipcCalls(page, 'create_customer')).length, 0, 'nothing was saved');
  });

  test('Save with a warning asks first; Save anyway, reached by keyboard, saves', async () => {
    const page = await open({ seed: SEED });
    await newCustomer(page, { name: 'Maria R.', email: 'MARIA.ROSSI@example.it' });
    await page.getByTestId('save-customer').click();
    await page.getByTestId('save-anyway').waitFor();
    assert.equal(plain(await warning(page).locator('.duplicates-title').textContent()), tr(en, 'duplicates.confirm_one'));
    assert.equal((await ipcCalls(page, 'create_customer')).length, 0, 'not saved before the user decides');
    assert.ok(plain(await page.getByTestId('duplicate-2').textContent()).includes(en.duplicates.match_email));
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'save-anyway');
    // Enter in a field asks again, and the keyboard is back on Save anyway.
    await page.locator('#customer-name').press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'save-anyway');
    assert.equal((await ipcCalls(page, 'create_customer')).length, 0);
    await page.keyboard.press('Enter');
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    const creates = await ipcCalls(page, 'create_customer');
    assert.equal(creates.length, 1);
    assert.equal(creates[0].args.input.name, 'Maria R.');
    await rows(page).filter({ hasText: 'Maria R.' }).waitFor();
  });

  test('a distinct customer, or the one being edited, gets no warning and saves at once', async () => {
    const page = await open({ seed: SEED });
    await newCustomer(page, { name: '陈静', phone: '186 2800 1234', company: '深圳市华强电子有限公司' });
    // Past the typing pause: the check ran and found nothing.
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'find_possible_duplicates' && c.args.draft.phones[0] === '186 2800 1234'));
    await page.waitForTimeout(100);
    assert.equal(await warning(page).count(), 0);
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'create_customer')).length, 1);

    await rows(page).filter({ hasText: '张伟' }).click();
    await page.getByTestId('edit-customer').click();
    await page.locator('#customer-notes').fill('Edited.');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    const checks = await ipcCalls(page, 'find_possible_duplicates');
    assert.equal(checks.at(-1).args.draft.editing, 1, 'the edited customer is left out of the check');
    assert.equal((await ipcCalls(page, 'update_customer')).length, 1);
  });

  test('the warning speaks Chinese', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await newCustomer(page, { name: '张小伟', company: '深圳市华强电子有限公司', phone: '138 0013 8000' });
    await warning(page).waitFor();
    assert.equal(plain(await warning(page).locator('.duplicates-title').textContent()), tr(zh, 'duplicates.title_other'));
    const reasons = [zh.duplicates.match_phone, zh.duplicates.match_similar_name].join(zh.duplicates.separator);
    assert.ok(plain(await page.getByTestId('duplicate-1').textContent()).includes(tr(zh, 'duplicates.matched', { reasons })));
    await page.getByTestId('save-customer').click();
    await page.getByTestId('save-anyway').waitFor();
    assert.equal(plain(await page.getByTestId('save-anyway').textContent()), zh.duplicates.save_anyway);
    assert.equal(plain(await warning(page).locator('.duplicates-title').textContent()), tr(zh, 'duplicates.confirm_other', { count: 1 }));
    await shoot(page, 'duplicate-warning-zh-CN');
  });
});

describe('customer since', () => {
  test('is the first order when it is older than the record, else the record', async () => {
    const page = await open({ seed: SEED });
    const since = async (name) => {
      await rows(page).filter({ hasText: name }).click();
      await page.getByTestId('profile-name').filter({ hasText: name }).waitFor();
      const text = plain(await page.getByTestId('profile-customer-since').textContent());
      await page.getByTestId('back-to-list').click();
      return text;
    };
    assert.equal(await since('王芳'), 'Apr 9, 2021');
    assert.equal(await since('Maria Rossi'), 'Jan 15, 2025', 'a later first order leaves the record date');
  });
});
