// The built UI (ui/dist) in real Chromium, with the backend replaced by an in-memory fake.
// Needs `npm run build` first. Every test fails on page errors, console errors, dialogs and
// Content-Security-Policy violations.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNothingClipped,
  cspViolations,
  en,
  ipcCalls,
  openApp,
  shoot,
  startHarness,
  tr,
  zh,
} from './helpers/browser.mjs';

const CUSTOMERS = [
  {
    id: 1,
    name: '杭州云帆科技有限公司',
    kind: 'company',
    company: '杭州云帆科技有限公司',
    phone: '0571-8765 4321',
    email: 'sales@yunfan-tech.cn',
    region: '浙江杭州',
    owner: '王磊',
    created_at: '2024-11-02T03:15:00.000Z',
    updated_at: '2025-05-20T06:40:00.000Z',
  },
  {
    id: 2,
    name: 'Acme Trading Ltd',
    kind: 'company',
    company: 'Acme Trading Ltd',
    phone: '+44 20 7946 0958',
    email: 'orders@acme-trading.co.uk',
    region: 'London',
    owner: 'Emma Clarke',
    industry: 'Wholesale',
    tags: ['vip', 'export'],
    channels: ['marketplace', 'phone_wechat'],
    size_class: 'smb',
    is_kol: true,
    created_at: '2025-01-15T09:30:00.000Z',
    updated_at: '2025-04-03T14:05:00.000Z',
  },
  {
    id: 3,
    name: '李娜',
    kind: 'person',
    company: '北京晨光文具店',
    phone: '138 0013 8000',
    email: 'lina@chenguang.cn',
    region: '北京',
    owner: '王磊',
    created_at: '2025-02-08T01:00:00.000Z',
    updated_at: '2025-02-08T01:00:00.000Z',
  },
  {
    id: 4,
    name: 'Maria Rossi',
    kind: 'person',
    phone: '+39 06 1234 5678',
    email: 'maria.rossi@example.it',
    region: 'Rome',
    owner: 'Emma Clarke',
    created_at: '2025-03-11T10:20:00.000Z',
    updated_at: '2025-05-30T16:45:00.000Z',
  },
  {
    id: 5,
    name: '深圳海川电子有限公司',
    kind: 'company',
    company: '深圳海川电子有限公司',
    phone: '0755-2233 4455',
    email: 'info@haichuan-elec.com',
    region: '广东深圳',
    owner: '陈静',
    created_at: '2024-09-19T07:00:00.000Z',
    updated_at: '2025-03-02T02:30:00.000Z',
  },
  {
    id: 6,
    name: 'Northwind Foods',
    kind: 'company',
    company: 'Northwind Foods Inc.',
    phone: '+1 415 555 0100',
    email: 'purchasing@northwindfoods.com',
    region: 'San Francisco',
    owner: 'Daniel Kim',
    created_at: '2024-12-01T18:00:00.000Z',
    updated_at: '2025-01-09T11:10:00.000Z',
  },
  {
    id: 7,
    name: '张伟',
    kind: 'person',
    phone: '139 1234 5678',
    email: 'zhangwei@example.com',
    region: '上海',
    owner: '陈静',
    created_at: '2025-04-22T04:00:00.000Z',
    updated_at: '2025-05-12T08:15:00.000Z',
  },
  {
    id: 8,
    name: 'Blue Harbor Coffee',
    kind: 'company',
    company: 'Blue Harbor Coffee Roasters',
    phone: '+61 2 9876 5432',
    email: 'hello@blueharbor.com.au',
    region: 'Sydney',
    owner: 'Daniel Kim',
    created_at: '2025-05-05T22:00:00.000Z',
    updated_at: '2025-05-28T09:00:00.000Z',
  },
];

const XSS = '<img src=x onerror=alert(1)>';
const XSS_FREE_NAME = '杭州云帆科技有限公司';

let harness;
let current;

async function open(options) {
  current = await openApp(harness, options);
  return current.page;
}

const rows = (page) => page.locator('[data-testid="customer-row"]');
const rowNames = (page) => page.locator('[data-testid="customer-row"] [data-testid="customer-name"]').allTextContents();

/** Opens a customer's profile from the list, then its edit form. */
async function openEditor(page, name) {
  await rows(page).filter({ hasText: name }).click();
  await page.getByTestId('profile-name').filter({ hasText: name }).waitFor();
  await page.getByTestId('edit-customer').click();
  await page.locator('#customer-name').waitFor();
}

/** What WebKit's WebDriver does for "Element Clear": set the value, fire change (no input). */
async function webdriverClear(page, selector) {
  await page.locator(selector).evaluate((el) => {
    el.focus();
    el.value = '';
    el.dispatchEvent(new Event('change', { bubbles: true, cancelable: true }));
    el.blur();
  });
}

/** Waits until the list shows exactly these names, in this order. */
async function waitForNames(page, names) {
  await page.waitForFunction(
    (expected) =>
      JSON.stringify(
        [...document.querySelectorAll('[data-testid="customer-row"] [data-testid="customer-name"]')].map((e) => e.textContent),
      ) === JSON.stringify(expected),
    names,
  );
}

/**
 * Opens the list with its own first read failing with `failure`: the read of its first page
 * made while My day is shown fails first (quietly), so the list reads for itself.
 */
async function openFailingList(seed, failure) {
  const page = await open({ seed: { ...seed, failures: { list_customers: [failure] } }, view: 'my-day' });
  await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'list_customers'));
  await page.evaluate((f) => window.__fake.failNext('list_customers', f), failure);
  await page.getByTestId('nav-customers').click();
  return page;
}

async function lastListQuery(page) {
  const calls = await ipcCalls(page, 'list_customers');
  assert.ok(calls.length > 0, 'listCustomers was never called');
  return calls.at(-1).args.query;
}

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

afterEach(async () => {
  if (!current) return;
  const { page, context, problems } = current;
  current = undefined;
  try {
    assert.deepEqual(await cspViolations(page), [], 'Content-Security-Policy violations');
    assert.deepEqual(problems.pageErrors, [], 'uncaught errors in the page');
    assert.deepEqual(problems.consoleErrors, [], 'console errors');
    assert.deepEqual(problems.dialogs, [], 'dialogs opened by the page');
  } finally {
    await context.close();
  }
});

describe('customer list', () => {
  test('renders rows, the total count and dates formatted for the locale', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await rows(page).first().waitFor();
    assert.equal(await rows(page).count(), CUSTOMERS.length);
    assert.equal(await page.getByTestId('customer-count').textContent(), '8 customers');
    assert.equal(await page.locator('h1').textContent(), en.customers.title);
    // Sorted by name, A to Z, like the backend does by default.
    const names = await rowNames(page);
    assert.equal(names[0], 'Acme Trading Ltd');
    assert.equal(names.length, 8);
    const acme = rows(page).filter({ hasText: 'Acme Trading Ltd' });
    assert.match(await acme.textContent(), /Apr 3, 2025/);
    assert.match(await acme.locator('td.date').getAttribute('title'), /Apr 3, 2025, 2:05\sPM/);
    assert.match(await acme.textContent(), new RegExp(en.kind.company));
    assert.deepEqual(await lastListQuery(page), {
      search: null,
      kind: null,
      owner: null,
      tag: null,
      sort: 'name',
      descending: false,
      deleted: false,
      offset: 0,
      limit: 50,
    });
    assert.equal(await page.getByTestId('page-range').textContent().then((s) => s.trim()), '1–8 of 8');
    assert.match(await page.getByTestId('app-version').textContent(), /0\.1\.0/);
  });

  test('search is debounced and calls listCustomers with the term', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await rows(page).first().waitFor();
    const before = (await ipcCalls(page, 'list_customers')).length;
    await page.getByTestId('customer-search').pressSequentially('acme', { delay: 40 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-row"]').length === 1);
    assert.deepEqual(await rowNames(page), ['Acme Trading Ltd']);
    const searches = (await ipcCalls(page, 'list_customers')).slice(before).map((c) => c.args.query.search);
    assert.deepEqual(searches, ['acme'], 'one call with the whole term, none per keystroke');
    assert.equal(await page.getByTestId('customer-count').textContent(), '1 customer');

    // Matches phone and email too; then nothing matches.
    await page.getByTestId('customer-search').fill('haichuan-elec');
    await waitForNames(page, ['深圳海川电子有限公司']);
    assert.equal((await lastListQuery(page)).search, 'haichuan-elec');
    await page.getByTestId('customer-search').fill('zzz');
    await page.getByTestId('no-matches').waitFor();
    assert.equal(await page.getByTestId('no-matches').locator('h2').textContent(), en.customers.no_matches_title);
    assert.match(await page.getByTestId('no-matches').textContent(), /“zzz”/);
    assert.equal((await lastListQuery(page)).search, 'zzz');
    await page.getByRole('button', { name: en.customers.clear_filters }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-row"]').length === 8);
    assert.equal((await lastListQuery(page)).search, null);

    // WebDriver's "clear" sets the value and fires only a change event.
    await page.getByTestId('customer-search').fill('acme');
    await waitForNames(page, ['Acme Trading Ltd']);
    await webdriverClear(page, '[data-testid="customer-search"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-row"]').length === 8);
    assert.equal((await lastListQuery(page)).search, null);
  });

  test('a search while imported customers join the index says so, and runs again once they are in', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, searchPending: 12500 } });
    await rows(page).first().waitFor();
    assert.equal(await page.getByTestId('search-pending').count(), 0, 'no notice without a search');
    await page.getByTestId('customer-search').fill('acme');
    await waitForNames(page, ['Acme Trading Ltd']);
    await page.getByTestId('search-pending').waitFor();
    assert.equal(
      await page.getByTestId('search-pending').textContent(),
      tr(en, 'customers.search_pending_other', { count: '12,500' }),
    );
    await shoot(page, 'customers-search-pending');
    const searches = (await ipcCalls(page, 'list_customers')).length;
    await page.evaluate(() => window.__fake.setSearchPending(0));
    await page.getByTestId('search-pending').waitFor({ state: 'detached' });
    await page.waitForFunction((n) => window.__fake.calls.filter((c) => c.cmd === 'list_customers').length > n, searches);
    assert.equal((await lastListQuery(page)).search, 'acme', 'the same search again, now over everyone');
  });

  test('a broad search with a filter shows an at-least count and still pages on', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({
      id: i + 1,
      name: `Customer ${String(i + 1).padStart(3, '0')}`,
      kind: 'person',
    }));
    const page = await open({ seed: { customers: many, countCap: 100 } });
    await rows(page).first().waitFor();
    await page.getByTestId('customer-search').fill('customer');
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent?.trim() === '120 customers');
    assert.equal((await page.getByTestId('page-range').textContent()).trim(), '1–50 of 120', 'a search alone is counted');
    await page.getByTestId('filter-person').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent?.trim() === '100+ customers');
    assert.equal((await page.getByTestId('page-range').textContent()).trim(), '1–50 of 100+');
    assert.equal(await page.getByTestId('page-next').isDisabled(), false);
  });

  test('kind filter, sortable headers and pagination drive the query', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({
      id: i + 1,
      name: `Customer ${String(i + 1).padStart(3, '0')}`,
      kind: i % 3 === 0 ? 'person' : 'company',
      created_at: new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString(),
    }));
    const page = await open({ seed: { customers: many } });
    await rows(page).first().waitFor();
    assert.equal(await rows(page).count(), 50);
    assert.equal((await page.getByTestId('page-range').textContent()).trim(), '1–50 of 120');
    assert.equal(await page.getByTestId('page-previous').isDisabled(), true);

    await page.getByTestId('page-next').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent?.trim() === '51–100 of 120');
    assert.equal((await lastListQuery(page)).offset, 50);
    assert.equal((await rowNames(page))[0], 'Customer 051');
    await page.getByTestId('page-next').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="page-range"]')?.textContent?.trim() === '101–120 of 120');
    assert.equal(await page.getByTestId('page-next').isDisabled(), true);

    // Clicking the sorted column reverses it and goes back to the first page.
    const nameHeader = page.locator('th').filter({ has: page.getByTestId('sort-name') });
    assert.equal(await nameHeader.getAttribute('aria-sort'), 'ascending');
    await page.getByTestId('sort-name').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-name"]')?.textContent === 'Customer 120');
    assert.equal(await nameHeader.getAttribute('aria-sort'), 'descending');
    let q = await lastListQuery(page);
    assert.equal(q.sort, 'name');
    assert.equal(q.descending, true);
    assert.equal(q.offset, 0);

    // Dates sort newest first; "created" has no column and is chosen in the sort menu.
    await page.getByTestId('sort-select').selectOption('created_at');
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-name"]')?.textContent === 'Customer 120');
    q = await lastListQuery(page);
    assert.equal(q.sort, 'created_at');
    assert.equal(q.descending, true);
    assert.equal(await nameHeader.getAttribute('aria-sort'), 'none');
    await page.getByTestId('sort-direction').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-name"]')?.textContent === 'Customer 001');
    assert.equal((await lastListQuery(page)).descending, false);
    await page.getByTestId('sort-updated_at').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-name"]')?.textContent === 'Customer 120');
    assert.equal(await page.getByTestId('sort-select').inputValue(), 'updated_at');
    assert.equal(await page.locator('th').filter({ has: page.getByTestId('sort-updated_at') }).getAttribute('aria-sort'), 'descending');

    await page.getByTestId('filter-person').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '40 customers');
    assert.equal((await lastListQuery(page)).kind, 'person');
    assert.equal(await page.getByTestId('filter-person').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('filter-company').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '80 customers');
    assert.equal((await lastListQuery(page)).kind, 'company');
  });

  test('an empty database shows the empty state with a button to add a customer', async () => {
    const page = await open({ seed: { customers: [] } });
    await page.getByTestId('empty-state').waitFor();
    assert.equal(await page.getByTestId('empty-state').locator('h2').textContent(), en.customers.empty_title);
    assert.equal(await rows(page).count(), 0);
    await page.getByTestId('empty-new-customer').click();
    await page.locator('#customer-name').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'customer-name');
  });
});

describe('customer form', () => {
  test('creating a customer sends what was typed and shows it in the list', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await rows(page).first().waitFor();
    await page.getByTestId('new-customer').click();
    assert.equal(await page.locator('#customer-form-title').textContent(), en.form.new_title);
    await page.locator('#customer-name').fill('周敏');
    await page.locator('#customer-kind').selectOption('person');
    await page.locator('#customer-company').fill('成都蜀味餐饮');
    await page.locator('#customer-phone').fill('186 2800 1234');
    await page.locator('#customer-email').fill('zhoumin@shuwei.cn');
    await page.locator('#customer-region').fill('四川成都');
    await page.locator('#customer-owner').fill('陈静');
    await page.locator('#customer-notes').fill('Prefers WeChat.\nOrders monthly.');
    await page.getByTestId('save-customer').click();

    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    const creates = await ipcCalls(page, 'create_customer');
    assert.equal(creates.length, 1);
    assert.deepEqual(creates[0].args, {
      input: {
        referred_by: null,
        name: '周敏',
        company: '成都蜀味餐饮',
        phone: '186 2800 1234',
        email: 'zhoumin@shuwei.cn',
        region: '四川成都',
        owner: '陈静',
        notes: 'Prefers WeChat.\nOrders monthly.',
        external_id: '',
        industry: '',
        source: '',
        needs: '',
        preferences: '',
        kind: 'person',
        size_class: null,
        pipeline_stage: null,
        channels: [],
        tags: [],
        is_kol: false,
      },
    });
    assert.equal(await page.getByTestId('toast').textContent().then((s) => s.trim()), tr(en, 'toast.created', { name: '周敏' }));
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '9 customers');
    assert.ok((await rowNames(page)).includes('周敏'));
  });

  test('Edit on the profile opens the form, and saving calls updateCustomer', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await openEditor(page, 'Acme Trading Ltd');
    assert.equal(await page.locator('#customer-form-title').textContent(), en.form.edit_title);
    assert.equal(await page.locator('#customer-name').inputValue(), 'Acme Trading Ltd');
    assert.equal(await page.locator('#customer-kind').inputValue(), 'company');
    assert.equal(await page.locator('#customer-email').inputValue(), 'orders@acme-trading.co.uk');
    assert.equal(await page.locator('#customer-notes').inputValue(), '');
    await page.locator('#customer-region').fill('Manchester');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    const updates = await ipcCalls(page, 'update_customer');
    assert.equal(updates.length, 1);
    assert.equal(updates[0].args.id, 2);
    const sent = updates[0].args.input;
    assert.equal(sent.region, 'Manchester');
    assert.equal(sent.name, 'Acme Trading Ltd');
    // Fields the form does not show are sent back as they were, not cleared.
    assert.deepEqual(
      { industry: sent.industry, tags: sent.tags, channels: sent.channels, size_class: sent.size_class, is_kol: sent.is_kol },
      { industry: 'Wholesale', tags: ['vip', 'export'], channels: ['marketplace', 'phone_wechat'], size_class: 'smb', is_kol: true },
    );
    // The profile stays open and shows the saved values.
    await page.getByTestId('profile-region').filter({ hasText: 'Manchester' }).waitFor();
    assert.equal(await page.getByTestId('toast').textContent().then((s) => s.trim()), tr(en, 'toast.saved', { name: 'Acme Trading Ltd' }));
    await page.getByTestId('back-to-list').click();
    await rows(page).filter({ hasText: 'Manchester' }).waitFor();

    // A field emptied without typing (WebDriver clear) is sent empty.
    await openEditor(page, 'Blue Harbor Coffee');
    await webdriverClear(page, '#customer-owner');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    const cleared = (await ipcCalls(page, 'update_customer')).at(-1).args;
    assert.equal(cleared.id, 8);
    assert.equal(cleared.input.owner, '');

    // Cancel closes without saving.
    await page.getByTestId('back-to-list').click();
    await openEditor(page, 'Maria Rossi');
    await page.locator('#customer-region').fill('Milan');
    await page.getByTestId('cancel-edit').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'update_customer')).length, 2);
  });

  for (const [lang, messages] of [
    ['en', en],
    ['zh-CN', zh],
  ]) {
    test(`a validation error from the backend shows next to its field (${lang})`, async () => {
      const page = await open({ seed: { customers: CUSTOMERS, language: lang } });
      await rows(page).first().waitFor();
      await page.getByTestId('new-customer').click();
      await page.locator('#customer-name').fill('Test Customer');
      await page.locator('#customer-email').fill('not-an-email');
      await page.getByTestId('save-customer').click();

      const error = page.locator('#customer-email-error');
      await error.waitFor();
      assert.equal(await error.textContent(), messages.validation.invalid_email);
      const email = page.locator('#customer-email');
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.equal(await email.getAttribute('aria-describedby'), 'customer-email-error');
      assert.equal(await email.inputValue(), 'not-an-email', 'the typed value is kept');
      assert.equal(await page.locator('#customer-name').inputValue(), 'Test Customer');
      assert.equal(await page.locator('#customer-name').getAttribute('aria-invalid'), null);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'customer-email');
      const creates = await ipcCalls(page, 'create_customer');
      assert.equal(creates.length, 1, 'the UI sends the value and lets the backend judge it');
      assert.equal(creates[0].args.input.email, 'not-an-email');

      // The panel is not modal: the language can change while it shows errors, and they follow.
      const [other, otherMessages] = lang === 'en' ? ['zh-CN', zh] : ['en', en];
      await page.getByTestId(`lang-${other}`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, other);
      assert.equal(await error.textContent(), otherMessages.validation.invalid_email);
      assert.equal(await page.locator('#customer-form-title').textContent(), otherMessages.form.new_title);
      assert.equal(await email.inputValue(), 'not-an-email');
      await page.getByTestId(`lang-${lang}`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.equal(await error.textContent(), messages.validation.invalid_email);

      // Several fields at once, with the limit interpolated.
      await page.locator('#customer-name').fill('x'.repeat(201));
      await page.locator('#customer-phone').fill('12345');
      await page.locator('#customer-email').fill('ok@example.com');
      await page.getByTestId('save-customer').click();
      await page.locator('#customer-name-error').waitFor();
      assert.equal(await page.locator('#customer-name-error').textContent(), tr(messages, 'validation.too_long', { limit: 200 }));
      assert.equal(await page.locator('#customer-email-error').count(), 0, 'a fixed field loses its error');
      // "12345" is five digits: valid. A bad mainland mobile is not.
      await page.locator('#customer-name').fill('');
      await page.locator('#customer-phone').fill('12012345678');
      await page.getByTestId('save-customer').click();
      await page.locator('#customer-phone-error').waitFor();
      assert.equal(await page.locator('#customer-name-error').textContent(), messages.validation.required);
      assert.equal(await page.locator('#customer-phone-error').textContent(), messages.validation.invalid_phone);
      assert.equal(await page.getByTestId('form-error').count(), 0, 'field errors are not repeated in a banner');
    });
  }

  test('delete moves the customer to the trash; the toast’s Undo restores it', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await openEditor(page, 'Acme Trading Ltd');
    await page.getByTestId('delete-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
    assert.deepEqual((await ipcCalls(page, 'delete_customer')).map((c) => c.args), [{ id: 2 }]);
    const toast = page.getByTestId('toast');
    assert.match(await toast.textContent(), new RegExp(tr(en, 'toast.deleted', { name: 'Acme Trading Ltd' })));
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '7 customers');
    assert.ok(!(await rowNames(page)).includes('Acme Trading Ltd'));

    await toast.getByTestId('undo').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '8 customers');
    assert.deepEqual((await ipcCalls(page, 'restore_customer')).map((c) => c.args), [{ id: 2 }]);
    assert.ok((await rowNames(page)).includes('Acme Trading Ltd'));
    await page.getByTestId('toast').filter({ hasText: tr(en, 'toast.restored', { name: 'Acme Trading Ltd' }) }).waitFor();
    assert.equal(await page.getByTestId('undo').count(), 0, 'the undo toast is gone');
  });
});

describe('trash', () => {
  test('lists deleted customers with their deleted date and restores them', async () => {
    const seed = CUSTOMERS.map((c) =>
      c.id === 4 || c.id === 6 ? { ...c, deleted_at: c.id === 4 ? '2025-06-01T07:00:00.000Z' : '2025-05-31T12:00:00.000Z' } : c,
    );
    const page = await open({ seed: { customers: seed } });
    await rows(page).first().waitFor();
    assert.equal(await rows(page).count(), 6);
    await page.getByTestId('nav-trash').click();
    assert.equal(await page.locator('h1').textContent(), en.trash.title);
    const trashRows = page.getByTestId('trash-row');
    await trashRows.first().waitFor();
    assert.equal(await trashRows.count(), 2);
    assert.deepEqual(await trashRows.locator('[data-testid="customer-name"]').allTextContents(), ['Maria Rossi', 'Northwind Foods']);
    assert.match(await trashRows.first().textContent(), /Jun 1, 2025/);
    assert.equal((await lastListQuery(page)).deleted, true);

    await trashRows.filter({ hasText: 'Maria Rossi' }).getByTestId('restore-customer').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="trash-row"]').length === 1);
    assert.deepEqual((await ipcCalls(page, 'restore_customer')).map((c) => c.args), [{ id: 4 }]);
    await page.getByTestId('toast').filter({ hasText: tr(en, 'toast.restored', { name: 'Maria Rossi' }) }).waitFor();

    await page.getByTestId('nav-customers').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '7 customers');
    assert.ok((await rowNames(page)).includes('Maria Rossi'));

    await page.getByTestId('nav-trash').click();
    await trashRows.first().getByTestId('restore-customer').click();
    await page.getByTestId('trash-empty').waitFor();
    assert.equal(await page.getByTestId('trash-empty').locator('h2').textContent(), en.trash.empty_title);
  });
});

describe('languages', () => {
  test('switching language re-renders at once, sets <html lang> and calls setLanguage', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await rows(page).first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.getByTestId('nav-trash').textContent().then((s) => s.trim()), en.nav.trash);

    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await page.locator('h1').textContent(), '客户');
    assert.equal(await page.getByTestId('nav-trash').textContent().then((s) => s.trim()), '回收站');
    assert.equal(await page.getByTestId('customer-count').textContent(), '共 8 位客户');
    assert.equal(await page.getByTestId('new-customer').textContent().then((s) => s.trim()), zh.customers.new);
    assert.equal(await page.getByTestId('customer-search').getAttribute('placeholder'), zh.customers.search_placeholder);
    assert.equal(await page.getByTestId('lang-zh-CN').getAttribute('aria-pressed'), 'true');
    const acme = rows(page).filter({ hasText: 'Acme Trading Ltd' });
    assert.match(await acme.textContent(), /2025年4月3日/);
    assert.match(await page.locator('thead').textContent(), /负责人/);
    assert.equal((await page.getByTestId('page-range').textContent()).trim(), '第 1–8 条，共 8 条');
    assert.deepEqual((await ipcCalls(page, 'set_language')).map((c) => c.args), [{ language: 'zh-CN' }]);
    assert.equal(await page.evaluate(() => window.__fake.language), 'zh-CN');

    await page.getByTestId('lang-en').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.locator('h1').textContent(), 'Customers');
    assert.deepEqual((await ipcCalls(page, 'set_language')).map((c) => c.args.language), ['zh-CN', 'en']);
  });

  test('starts in the saved language, else in the browser’s', async () => {
    let page = await open({ seed: { customers: CUSTOMERS }, locale: 'zh-CN' });
    assert.equal(await page.locator('h1').textContent(), '客户');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal((await ipcCalls(page, 'set_language')).length, 0, 'detection is not saved as a choice');
    await current.context.close();

    page = await open({ seed: { customers: CUSTOMERS, language: 'en' }, locale: 'zh-CN' });
    assert.equal(await page.locator('h1').textContent(), 'Customers');
    await current.context.close();

    page = await open({ seed: { customers: CUSTOMERS, language: 'zh-CN' }, locale: 'en-GB' });
    assert.equal(await page.locator('h1').textContent(), '客户');
    assert.equal((await ipcCalls(page, 'get_language')).length, 1);
  });
});

describe('errors and safety', () => {
  test('customer text is shown literally, never as HTML', async () => {
    const seed = [...CUSTOMERS, { id: 9, name: XSS, kind: 'person', company: '<b>bold</b>', notes: '<script>alert(2)</script>' }];
    const page = await open({ seed: { customers: seed } });
    const row = rows(page).filter({ hasText: XSS });
    await row.waitFor();
    assert.equal(await row.getByTestId('customer-name').textContent(), XSS);
    assert.match(await row.textContent(), /<b>bold<\/b>/);
    assert.equal(await page.locator('main img, main b, main script').count(), 0, 'no element was created from user text');

    await row.click();
    await page.getByTestId('profile-name').waitFor();
    assert.equal(await page.getByTestId('profile-name').textContent(), XSS);
    assert.equal(await page.getByTestId('profile-notes').textContent(), '<script>alert(2)</script>');
    assert.equal(await page.locator('main img, main b, main script').count(), 0, 'the profile shows user text as text');
    await page.getByTestId('edit-customer').click();
    assert.equal(await page.locator('#customer-name').inputValue(), XSS);
    assert.equal(await page.locator('#customer-notes').inputValue(), '<script>alert(2)</script>');
    await page.getByTestId('delete-customer').click();
    const toast = page.getByTestId('toast');
    await toast.waitFor();
    assert.equal(await toast.locator('span').first().textContent(), tr(en, 'toast.deleted', { name: XSS }));
    assert.equal(await page.locator('[data-testid="toast"] img').count(), 0);

    // A new customer named with markup goes through the form and the "added" toast as text too.
    await page.getByTestId('new-customer').click();
    await page.locator('#customer-name').fill('<svg onload=alert(3)>');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('toast').filter({ hasText: '<svg onload=alert(3)>' }).waitFor();
    assert.equal(await page.locator('main svg[onload], [data-testid="toast"] svg[onload]').count(), 0);
    await page.waitForTimeout(100);
    assert.deepEqual(current.problems.dialogs, []);
  });

  test('a plain string rejection is shown as the translated invalid_argument error', async () => {
    const reason = 'invalid args `input` for command `create_customer`: missing field `kind`';
    const page = await open({ seed: { customers: CUSTOMERS } });
    await rows(page).first().waitFor();
    await page.evaluate((r) => window.__fake.failNext('create_customer', r), reason);
    await page.getByTestId('new-customer').click();
    await page.locator('#customer-name').fill('Anyone');
    await page.getByTestId('save-customer').click();
    const banner = page.getByTestId('form-error');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-banner').getAttribute('data-code'), 'invalid_argument');
    assert.equal(await banner.locator('.banner-message').textContent(), en.error.invalid_argument);
    assert.match(await banner.textContent(), /missing field `kind`/);
    assert.equal(await page.locator('#customer-name').inputValue(), 'Anyone');

    // An ErrorPayload that is not about fields goes to the banner as well.
    await page.evaluate(() =>
      window.__fake.failNext('create_customer', {
        code: 'database',
        message: 'database error: disk I/O error',
        details: { fields: [], params: {} },
      }),
    );
    await page.getByTestId('save-customer').click();
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="form-error"] .banner-message')?.textContent === text,
      en.error.database,
    );
    // Field errors for fields the form does not show (who referred the customer) are listed
    // in the banner.
    await page.evaluate(() =>
      window.__fake.failNext('create_customer', {
        code: 'validation',
        message: 'invalid input: referred_by (UnknownReference)',
        details: { fields: [{ field: 'referred_by', rule: 'unknown_reference', limit: null }], params: {} },
      }),
    );
    await page.getByTestId('save-customer').click();
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="form-error"] li')?.textContent === text,
      `${en.field.referred_by}: ${en.validation.unknown_reference}`,
    );
    assert.equal(await banner.locator('.banner-message').textContent(), en.error.validation);
    // Saving again works and closes the form.
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });
  });

  test('a conflict is translated and keeps the backend reason as its detail (zh-CN)', async () => {
    const reason = 'an evaluation is already running';
    const conflict = { code: 'conflict', message: reason, details: { fields: [], params: { reason } } };
    const page = await openFailingList({ customers: CUSTOMERS, language: 'zh-CN' }, conflict);
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-code'), 'conflict');
    assert.equal(await banner.locator('.banner-message').textContent(), zh.error.conflict);
    assert.match(await banner.textContent(), /详细信息：an evaluation is already running/);
  });

  test('a failed list load shows a translated banner with a working retry (zh-CN)', async () => {
    const page = await openFailingList({ customers: CUSTOMERS, language: 'zh-CN' }, 'backend task panicked');
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.locator('.banner-message').textContent(), zh.error.invalid_argument);
    assert.match(await banner.textContent(), /详细信息：backend task panicked/);
    await banner.getByRole('button', { name: zh.common.retry }).click();
    await rows(page).first().waitFor();
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    assert.equal(await rows(page).count(), 8);
  });
});

describe('another process', () => {
  test('coming back to the window reloads the list from the file', async () => {
    const page = await open({ seed: { customers: [{ id: 1, name: '张伟', kind: 'person' }] } });
    await page.getByTestId('customer-row').first().waitFor();
    const before = (await ipcCalls(page, 'list_customers')).length;
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.waitForFunction((n) => window.__fake.calls.filter((c) => c.cmd === 'list_customers').length > n, before);
  });
});

describe('startup', () => {
  test('a database that cannot be opened is explained in the user’s language', async () => {
    const page = await open({
      seed: {
        customers: [],
        language: 'zh-CN',
        startupError: {
          code: 'database_too_new',
          message: 'the database was written by a newer version of Headtail (schema 9, this version knows up to 3)',
          details: { fields: [], params: { found: '9', supported: '3' } },
        },
      },
    });
    const banner = page.getByTestId('startup-error');
    await banner.waitFor();
    assert.equal(
      await banner.locator('.banner-message').textContent(),
      tr(zh, 'error.database_too_new', { found: 9, supported: 3 }),
    );
    assert.match(await banner.textContent(), /数据结构版本 9/);
  });

  test('a folder that cannot be written says how to choose another, and nothing offers to create', async () => {
    const page = await open({
      seed: {
        customers: [],
        startupError: {
          code: 'folder_not_writable',
          message: 'Headtail cannot create its database in /media/cdrom',
          details: { fields: [], params: { path: '/media/cdrom' } },
        },
      },
    });
    const banner = page.getByTestId('startup-error');
    await banner.waitFor();
    assert.equal(await banner.locator('.banner-message').textContent(), tr(en, 'error.folder_not_writable', { path: '/media/cdrom' }));
    assert.match(await banner.textContent(), /--db/);
    assert.equal(await page.getByTestId('new-customer').isDisabled(), true);
  });

  test('a read-only database is shown with a notice and no way to create', async () => {
    const page = await open({ seed: { customers: [{ id: 1, name: '张伟', kind: 'person' }], readOnly: true } });
    const notice = page.getByTestId('read-only');
    await notice.waitFor();
    assert.equal(await notice.locator('.banner-message').textContent(), en.error.read_only);
    assert.equal(await page.getByTestId('new-customer').isDisabled(), true);
  });
});

describe('screenshots', () => {
  for (const lang of ['en', 'zh-CN']) {
    test(`customer list, form and trash in ${lang}`, async () => {
      const seed = CUSTOMERS.map((c) => (c.id === 6 ? { ...c, deleted_at: '2025-05-31T12:00:00.000Z' } : c));
      const page = await open({ seed: { customers: seed, language: lang } });
      await rows(page).first().waitFor();
      await assertNothingClipped(page);
      await shoot(page, `customers-${lang}`);

      await openEditor(page, 'Maria Rossi');
      await page.locator('#customer-email').fill('maria.rossi@');
      await page.getByTestId('save-customer').click();
      await page.locator('#customer-email-error').waitFor();
      await page.waitForTimeout(250);
      await assertNothingClipped(page);
      await shoot(page, `form-error-${lang}`);
      await page.getByTestId('cancel-edit').click();
      await page.getByTestId('back-to-list').click();

      await openEditor(page, XSS_FREE_NAME);
      await page.getByTestId('delete-customer').click();
      await page.getByTestId('toast').waitFor();
      await page.waitForTimeout(250);
      await assertNothingClipped(page);
      await shoot(page, `toast-${lang}`);

      await page.getByTestId('nav-trash').click();
      await page.getByTestId('trash-row').first().waitFor();
      await assertNothingClipped(page);
      await shoot(page, `trash-${lang}`);
    });
  }

  test('empty state', async () => {
    const page = await open({ seed: { customers: [] } });
    await page.getByTestId('empty-state').waitFor();
    await shoot(page, 'empty-en');
  });
});
