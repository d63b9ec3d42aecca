// Complaints and loyalty points in Chromium against the fake backend: the Complaints page
// (past target first, the past-target filter, empty, loading and error states), complaints
// and points on a profile (log, respond, start, resolve with a note; earn, redeem beyond the
// balance, a referral reward), the work settings drawer, and the import kind. Both languages
// where text matters. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

// The fake's clock reads 2025-06-01 08:00 (UTC, the page's zone too).
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company', owner: 'Emma Clarke' },
  { id: 3, name: '李娜', kind: 'person', phone: '138 0013 8000' },
];
const COMPLAINTS = [
  // Due 31 May 09:00 and never answered: past its target.
  { id: 1, customer_id: 1, opened_at: '2025-05-30T09:00:00', category: '发票', severity: 'medium', status: 'open', description: '发票抬头有误' },
  // Due tomorrow.
  { id: 2, customer_id: 2, opened_at: '2025-06-01T07:00:00', category: 'Delivery', severity: 'high', status: 'open' },
  // Late, but answered: no longer past target.
  {
    id: 3,
    customer_id: 2,
    opened_at: '2025-05-20T09:00:00',
    category: 'Quality',
    severity: 'critical',
    status: 'in_progress',
    first_response_at: '2025-05-20T10:30:00',
  },
  {
    id: 4,
    customer_id: 2,
    opened_at: '2025-05-10T09:00:00',
    category: 'Billing',
    severity: 'low',
    status: 'resolved',
    resolved_at: '2025-05-11T09:00:00',
    first_response_at: '2025-05-10T10:00:00',
    resolution: 'Credit note sent',
  },
];
const LOYALTY = [
  { id: 1, customer_id: 2, occurred_on: '2025-05-01', kind: 'earn', points: 300 },
  { id: 2, customer_id: 2, occurred_on: '2025-05-10', kind: 'redeem', points: -100, notes: 'Voucher' },
];
const SEED = { customers: CUSTOMERS, complaints: COMPLAINTS, loyalty: LOYALTY };

const open = useApp({ before, after, afterEach });
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const text = async (locator) => plain(await locator.textContent());
const conflict = { code: 'conflict', message: 'busy', details: { fields: [], params: { reason: 'busy' } } };

async function openComplaints(page) {
  await page.getByTestId('nav-complaints').click();
  await page.locator('#complaints-page-title').waitFor();
}

async function openProfile(page, name) {
  await page.getByTestId('customer-row').filter({ hasText: name }).click();
  await page.getByTestId('profile-name').filter({ hasText: name }).waitFor();
  await page.getByTestId('loyalty-balance').waitFor();
}

describe('complaints page', () => {
  test('lists open complaints past target first, filters to those past target, opens the customer', async () => {
    const page = await open({ seed: SEED });
    await openComplaints(page);
    const rows = page.getByTestId('complaint-row');
    await rows.first().waitFor();
    assert.deepEqual(await page.getByTestId('complaint-customer').allTextContents(), [
      '杭州云帆科技有限公司',
      'Acme Trading Ltd',
      'Acme Trading Ltd',
    ]);
    assert.equal(await text(page.getByTestId('complaints-count')), tr(en, 'complaints.count', { count: 3 }));
    assert.equal(await page.getByTestId('past-target').count(), 1, 'only the unanswered overdue one');
    assert.equal(await text(rows.first().getByTestId('past-target')), en.complaints.past_target);
    assert.equal(await text(rows.nth(1).getByTestId('complaint-answered')), en.complaints.answered);
    await assertNothingClipped(page);
    await shoot(page, 'complaints-en');

    await page.getByTestId('complaints-filter-past').click();
    await page.getByTestId('complaint-row').nth(1).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1);
    assert.equal(await text(page.getByTestId('complaints-count')), tr(en, 'complaints.count', { count: 1 }));
    const sent = (await ipcCalls(page, 'list_complaints')).at(-1).args.query;
    assert.deepEqual(sent, { past_target_only: true, offset: 0, limit: 50 });

    await page.getByTestId('complaint-customer').first().click();
    await page.getByTestId('profile-name').filter({ hasText: '杭州云帆科技有限公司' }).waitFor();
    await page.getByTestId('back-to-list').click();
    await page.locator('#complaints-page-title').waitFor();
  });

  test('speaks Chinese', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await openComplaints(page);
    await page.getByTestId('complaint-row').first().waitFor();
    assert.equal(await text(page.locator('#complaints-page-title')), zh.complaints.page_title);
    assert.equal(await text(page.getByTestId('nav-complaints')), zh.nav.complaints);
    assert.equal(await text(page.getByTestId('past-target')), zh.complaints.past_target);
    assert.equal(await text(page.getByTestId('complaints-filter-past')), zh.complaints.filter_past_target);
    await assertNothingClipped(page);
    await shoot(page, 'complaints-zh-CN');
  });

  test('empty: nothing open, and nothing past target, in both languages', async () => {
    const resolved = COMPLAINTS.filter((c) => c.status === 'resolved');
    let page = await open({ seed: { customers: CUSTOMERS, complaints: resolved } });
    await openComplaints(page);
    await page.getByTestId('complaints-none-open').waitFor();
    assert.match(await text(page.getByTestId('complaints-none-open')), new RegExp(en.complaints.none_open_title));
    await shoot(page, 'complaints-empty-en');

    page = await open({ seed: { customers: CUSTOMERS, complaints: COMPLAINTS.slice(1), language: 'zh-CN' }, locale: 'zh-CN' });
    await openComplaints(page);
    await page.getByTestId('complaint-row').first().waitFor();
    await page.getByTestId('complaints-filter-past').click();
    await page.getByTestId('complaints-none-past').waitFor();
    assert.match(await text(page.getByTestId('complaints-none-past')), new RegExp(zh.complaints.none_past_title));
    await shoot(page, 'complaints-none-past-zh-CN');
  });

  test('loading, then an error with a retry', async () => {
    let page = await open({ seed: { ...SEED, delays: { list_complaints: 1500 } } });
    await openComplaints(page);
    await page.getByText(en.common.loading).waitFor();
    await page.getByTestId('complaint-row').first().waitFor();

    page = await open({ seed: { ...SEED, language: 'zh-CN', failures: { list_complaints: [conflict] } }, locale: 'zh-CN' });
    await openComplaints(page);
    const banner = page.locator('.page-banner');
    await banner.waitFor();
    assert.match(await text(banner), new RegExp(zh.error.conflict.slice(0, 8)));
    await shoot(page, 'complaints-error-zh-CN');
    await banner.getByRole('button').first().click();
    await page.getByTestId('complaint-row').first().waitFor();
    assert.equal(await banner.count(), 0);
  });
});

describe('complaints on the profile', () => {
  test('log a complaint: the category is required, then it is listed with its due time', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, '李娜');
    await page.getByTestId('complaints-empty').waitFor();
    await page.getByTestId('log-complaint').click();
    await page.getByTestId('complaint-form').waitFor();
    await page.getByTestId('save-complaint').click();
    await page.locator('#complaint-category-error').waitFor();
    assert.equal(await text(page.locator('#complaint-category-error')), en.validation.required);
    await page.locator('#complaint-category').fill('Wrong size');
    await page.locator('#complaint-severity').selectOption('critical');
    await page.locator('#complaint-opened_at').fill('2025-06-01T07:30');
    await page.locator('#complaint-description').fill('Shoes one size too small');
    await page.getByTestId('save-complaint').click();
    await page.getByTestId('complaint-form').waitFor({ state: 'detached' });
    const sent = (await ipcCalls(page, 'create_complaint')).at(-1).args.input;
    assert.equal(sent.opened_at, '2025-06-01T07:30:00');
    assert.equal(sent.status, 'open');
    const item = page.getByTestId('complaint');
    await item.waitFor();
    assert.equal(await text(item.getByTestId('complaint-category')), 'Wrong size');
    assert.equal(await text(item.getByTestId('complaint-severity')), en.severity.critical);
    // Standard service level: 24 hours.
    assert.match(await text(item.getByTestId('complaint-due')), /Jun 2, 2025/);
  });

  test('respond, start and resolve with a required note; times are shown', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, '杭州云帆科技有限公司');
    const item = page.getByTestId('complaint').first();
    await item.waitFor();
    assert.equal(await text(item.getByTestId('complaint-status')), en.complaint_status.open);
    await item.getByTestId('respond-complaint').click();
    await item.getByTestId('complaint-first-response').waitFor();
    assert.equal(await item.getByTestId('respond-complaint').count(), 0, 'answered once');
    assert.match(await text(item.getByTestId('complaint-first-response')), /target 24 h/);
    await item.getByTestId('start-complaint').click();
    await item.locator('[data-testid="complaint-status"]', { hasText: en.complaint_status.in_progress }).waitFor();

    await item.getByTestId('resolve-complaint').click();
    await item.getByTestId('confirm-resolve').click();
    await item.getByTestId('resolution-error').waitFor();
    assert.equal(await text(item.getByTestId('resolution-error')), en.validation.required);
    await item.getByTestId('resolution-note').fill('  Invoice reissued  ');
    await item.getByTestId('confirm-resolve').click();
    await item.getByTestId('complaint-resolution').waitFor();
    assert.equal(await text(item.getByTestId('complaint-resolution')), tr(en, 'complaints.resolution', { note: 'Invoice reissued' }));
    assert.equal(await text(item.getByTestId('complaint-status')), en.complaint_status.resolved);
    assert.equal(await item.getByTestId('resolve-complaint').count(), 0);
    assert.deepEqual(
      (await ipcCalls(page, 'resolve_complaint')).map((c) => c.args.resolution),
      ['', '  Invoice reissued  '],
    );
  });

  test('a refused move shows the translated reason (Chinese)', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await openProfile(page, 'Acme Trading Ltd');
    const item = page.getByTestId('complaint').filter({ hasText: 'Delivery' });
    await item.waitFor();
    await page.evaluate((c) => window.__fake.failNext('start_complaint', c), conflict);
    await item.getByTestId('start-complaint').click();
    await item.getByTestId('complaint-error').waitFor();
    assert.equal(await text(item.getByTestId('complaint-error')), zh.error.conflict);
    await item.getByTestId('resolve-complaint').click();
    await item.getByTestId('confirm-resolve').click();
    assert.equal(await text(item.getByTestId('resolution-error')), zh.validation.required);
    await page.getByTestId('profile-complaints').scrollIntoViewIfNeeded();
    await shoot(page, 'profile-complaints-zh-CN');
  });
});

describe('loyalty points on the profile', () => {
  test('balance and the ledger newest first with the balance after each entry', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    assert.equal(await text(page.getByTestId('loyalty-balance')), `200 ${en.loyalty.points_unit}`);
    assert.deepEqual((await page.getByTestId('loyalty-points').allTextContents()).map(plain), ['-100', '+300']);
    assert.deepEqual((await page.getByTestId('loyalty-balance-after').allTextContents()).map(plain), [
      tr(en, 'loyalty.balance_after', { balance: '200' }),
      tr(en, 'loyalty.balance_after', { balance: '300' }),
    ]);
    await page.getByTestId('profile-loyalty').scrollIntoViewIfNeeded();
    await shoot(page, 'profile-loyalty-en');

    // No points yet.
    await page.getByTestId('back-to-list').click();
    await openProfile(page, '李娜');
    await page.getByTestId('loyalty-empty').waitFor();
    assert.equal(await text(page.getByTestId('loyalty-balance')), `0 ${en.loyalty.points_unit}`);
  });

  test('redeeming more than the balance says the balance; earning adds', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('add-points').click();
    await page.getByTestId('loyalty-form').waitFor();
    await page.locator('#loyalty-kind').selectOption('redeem');
    await page.locator('#loyalty-points').fill('500');
    await page.getByTestId('save-loyalty').click();
    await page.locator('#loyalty-points-error').waitFor();
    assert.equal(await text(page.locator('#loyalty-points-error')), tr(en, 'validation.not_enough_points', { limit: '200' }));
    assert.equal((await ipcCalls(page, 'create_loyalty_entry')).at(-1).args.input.points, -500, 'a redemption takes points away');
    await page.locator('#loyalty-points').fill('abc');
    await page.getByTestId('save-loyalty').click();
    await page.locator('#loyalty-points-error', { hasText: en.validation.unparseable }).waitFor();
    await page.locator('#loyalty-kind').selectOption('earn');
    await page.locator('#loyalty-points').fill('50');
    await page.getByTestId('save-loyalty').click();
    await page.getByTestId('loyalty-form').waitFor({ state: 'detached' });
    await page.getByTestId('loyalty-balance').filter({ hasText: '250' }).waitFor();
  });

  test('the error speaks Chinese', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('add-points').click();
    await page.locator('#loyalty-kind').selectOption('redeem');
    await page.locator('#loyalty-points').fill('201');
    await page.getByTestId('save-loyalty').click();
    await page.locator('#loyalty-points-error').waitFor();
    assert.equal(await text(page.locator('#loyalty-points-error')), tr(zh, 'validation.not_enough_points', { limit: '200' }));
    await shoot(page, 'loyalty-form-error-zh-CN');
  });

  test('a referral reward names the referred customer, who must be picked, and links to them', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('add-points').click();
    await page.locator('#loyalty-kind').selectOption('referral_reward');
    await page.locator('#loyalty-points').fill('80');
    await page.getByTestId('save-loyalty').click();
    await page.locator('#loyalty-referred_customer_id-error').waitFor();
    assert.equal(await text(page.locator('#loyalty-referred_customer_id-error')), en.validation.required);
    await page.getByTestId('referred-search').fill('李');
    await page.getByTestId('referred-match').filter({ hasText: '李娜' }).click();
    assert.equal(await text(page.getByTestId('referred-picked').locator('span').first()), '李娜');
    await page.getByTestId('save-loyalty').click();
    await page.getByTestId('loyalty-form').waitFor({ state: 'detached' });
    const line = page.getByTestId('loyalty-entry').filter({ has: page.getByTestId('loyalty-referred') });
    await line.waitFor();
    assert.equal(await text(line.getByTestId('loyalty-referred')), '李娜');
    await line.getByTestId('loyalty-referred').click();
    await page.getByTestId('profile-name').filter({ hasText: '李娜' }).waitFor();
  });
});

describe('work settings', () => {
  test('open from the sidebar, refuse a bad value with a translated error, save', async () => {
    const page = await open({ seed: SEED });
    await page.getByTestId('open-work-settings').click();
    await page.getByTestId('work-settings-form').waitFor();
    await page.waitForFunction(() => document.querySelector('#work-settings-response_hours_standard')?.value === '24');
    assert.equal(await page.locator('#work-settings-loyalty_points_per_yuan').inputValue(), '0');
    await page.locator('#work-settings-response_hours_vip').fill('0');
    await page.locator('#work-settings-loyalty_points_per_yuan').fill('1.5');
    await page.getByTestId('save-work-settings').click();
    await page.locator('#work-settings-response_hours_vip-error').waitFor();
    assert.equal(await text(page.locator('#work-settings-response_hours_vip-error')), en.validation.out_of_range);
    await shoot(page, 'work-settings-error-en');
    await page.locator('#work-settings-response_hours_vip').fill('2');
    await page.getByTestId('save-work-settings').click();
    await page.getByTestId('work-settings-form').waitFor({ state: 'detached' });
    const sent = (await ipcCalls(page, 'save_work_settings')).at(-1).args.settings;
    assert.equal(sent.response_hours_vip, 2);
    assert.equal(sent.loyalty_points_per_yuan, 1.5);
    assert.equal(sent.response_hours_standard, 24);
  });

  test('speaks Chinese', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await page.getByTestId('open-work-settings').click();
    await page.getByTestId('work-settings-form').waitFor();
    await page.waitForFunction(() => document.querySelector('#work-settings-response_hours_vip')?.value === '4');
    assert.equal(await text(page.locator('#work-settings-form-title')), zh.work_settings.title);
    assert.match(await text(page.getByTestId('work-settings-form')), new RegExp(zh.work_settings.field.loyalty_points_per_yuan));
    await assertNothingClipped(page);
    await shoot(page, 'work-settings-zh-CN');
  });
});

describe('import', () => {
  test('offers complaints as a kind of file', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await page.getByTestId('nav-import').click();
    await page.locator('#import-kind').waitFor();
    await page.locator('#import-kind').selectOption('complaints');
    assert.equal(await page.locator('#import-kind option[value="complaints"]').textContent(), zh.import.kind.complaints);
  });
});
