// The customer list by segment: standing columns, filters on the latest evaluation, the sorts
// by predicted CLV and next follow-up, saved views, row selection and bulk actions, in Chromium
// against the fake backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, waitForNames, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

// Customer i (in id order) gets the fake backend's template i of the latest run:
// tier A, A, B, B, C, C, D, C; predicted CLV 91,000 / 52,000 / 21,000 / 9,800 / 4,200 /
// 2,600 / 120 / 1,500 yuan.
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company' },
  { id: 3, name: '张伟', kind: 'person' },
  { id: 4, name: '深圳华强电子贸易有限公司', kind: 'company' },
  { id: 5, name: 'Blue Harbor Foods', kind: 'company' },
  { id: 6, name: '李娜', kind: 'person' },
  { id: 7, name: '成都小雨文具店', kind: 'company' },
  { id: 8, name: 'Northwind Supplies', kind: 'company' },
];

const FOLLOW_UPS = [
  { customer_id: 6, due_at: '2020-03-02T09:00:00' },
  { customer_id: 2, due_at: '2099-01-05T10:30:00' },
  { customer_id: 2, due_at: '2099-02-01T10:30:00' },
];

const row = (page, name) => page.locator('[data-testid="customer-row"]').filter({ hasText: name });
const names = (page) => page.locator('[data-testid="customer-row"] [data-testid="customer-name"]').allTextContents();

async function openList(seed = {}, options = {}) {
  const page = await open({ seed: { customers: CUSTOMERS, evaluation: true, followUps: FOLLOW_UPS, ...seed }, ...options });
  await page.locator('[data-testid="customer-row"]').first().waitFor();
  return page;
}

async function lastQuery(page) {
  return (await ipcCalls(page, 'list_customers')).at(-1).args.query;
}

/** Ticks (or unticks) a value in a filter's menu, opening the menu first if it is closed. */
async function tick(page, key, value, on = true) {
  const menu = page.getByTestId(`filter-${key}`);
  if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
  await page.getByTestId(`filter-${key}-${value}`).setChecked(on);
}

describe('standing columns', () => {
  test('show tier, segment, stage, P(alive), CLV and the next follow-up, overdue marked', async () => {
    const page = await openList();
    const cells = async (name, id) => plain(await row(page, name).getByTestId(id).textContent());
    assert.equal(await cells('杭州云帆科技有限公司', 'cell-tier'), en.evaluation.tier.a);
    assert.equal(await row(page, '杭州云帆科技有限公司').locator('.badge-tier.tier-a').count(), 1, 'tier A is a coloured badge');
    assert.equal(await cells('杭州云帆科技有限公司', 'cell-segment'), en.evaluation.segment.champions);
    assert.equal(await cells('杭州云帆科技有限公司', 'cell-stage'), en.evaluation.lifecycle.loyal);
    assert.equal(await cells('杭州云帆科技有限公司', 'cell-p-alive'), '97%');
    assert.equal(await cells('杭州云帆科技有限公司', 'cell-clv'), 'CN¥91,000.00');
    assert.equal(await cells('成都小雨文具店', 'cell-tier'), en.evaluation.tier.d);

    // The earliest open follow-up; a past one is marked overdue.
    assert.equal(await cells('Acme Trading Ltd', 'cell-next-follow-up'), 'Jan 5, 2099 10:30 AM');
    assert.equal(await row(page, 'Acme Trading Ltd').locator('.overdue').count(), 0);
    assert.match(await cells('李娜', 'cell-next-follow-up'), /^Mar 2, 2020/);
    const overdue = row(page, '李娜').getByTestId('cell-next-follow-up');
    assert.match(await overdue.getAttribute('class'), /overdue/);
    assert.equal(await overdue.locator('span').getAttribute('title'), en.segment_list.overdue);
    assert.equal(await cells('张伟', 'cell-next-follow-up'), '—');
    assert.match(plain(await page.getByTestId('evaluated-on').textContent()), /Jun 1, 2025/);
    await shoot(page, 'segment-list-en');
  });

  test('in Chinese, with the labels and money of the locale', async () => {
    const page = await openList({ language: 'zh-CN' }, { locale: 'zh-CN' });
    const first = row(page, '杭州云帆科技有限公司');
    assert.equal(plain(await first.getByTestId('cell-tier').textContent()), zh.evaluation.tier.a);
    assert.equal(plain(await first.getByTestId('cell-segment').textContent()), zh.evaluation.segment.champions);
    assert.equal(plain(await first.getByTestId('cell-clv').textContent()), '¥91,000.00');
    assert.equal(plain(await page.locator('th').filter({ hasText: zh.segment_list.column_clv }).textContent()), zh.segment_list.column_clv);
    await assertNothingClipped(page);
    await shoot(page, 'segment-list-zh-CN');
  });

  test('without an evaluation the columns are empty and the list says why', async () => {
    const page = await openList({ evaluation: false });
    assert.equal(plain(await page.getByTestId('no-evaluation').textContent()), en.segment_list.no_evaluation);
    assert.equal(plain(await row(page, '杭州云帆科技有限公司').getByTestId('cell-tier').textContent()), '—');
    assert.equal(plain(await row(page, '杭州云帆科技有限公司').getByTestId('cell-clv').textContent()), '—');
  });
});

describe('standing filters', () => {
  test('keep the customers with any ticked value of each filter, combined with the search', async () => {
    const page = await openList();
    await tick(page, 'tiers', 'a');
    await waitForNames(page, ['Acme Trading Ltd', '杭州云帆科技有限公司']);
    assert.deepEqual((await lastQuery(page)).tiers, ['a']);
    assert.equal(plain(await page.getByTestId('customer-count').textContent()), '2 customers');
    assert.equal(plain(await page.getByTestId('filter-tiers-count').textContent()), '1');

    await tick(page, 'tiers', 'b');
    await waitForNames(page, ['Acme Trading Ltd', '杭州云帆科技有限公司', '深圳华强电子贸易有限公司', '张伟']);
    await tick(page, 'segments', 'champions');
    await waitForNames(page, ['杭州云帆科技有限公司']);
    assert.deepEqual(await lastQuery(page).then((q) => [q.tiers, q.segments]), [['a', 'b'], ['champions']]);

    await page.getByTestId('customer-search').fill('Acme');
    await page.getByTestId('customer-search').press('Enter');
    await page.getByTestId('no-matches').waitFor();
    assert.equal(plain(await page.getByTestId('no-matches').textContent()).includes('Acme'), true);
    await page.getByTestId('no-matches').getByRole('button').click();
    await page.locator('[data-testid="customer-row"]').nth(7).waitFor();
    const cleared = await lastQuery(page);
    assert.equal(cleared.tiers, undefined, 'clearing drops the standing filters');
  });

  test('a standing nobody has shows its own empty state; the other filters', async () => {
    const page = await openList();
    await tick(page, 'lifecycles', 'won_back');
    await page.getByTestId('no-matches').waitFor();
    assert.match(plain(await page.getByTestId('no-matches').textContent()), new RegExp(en.segment_list.no_matches_standing.slice(0, 20)));
    await tick(page, 'lifecycles', 'won_back', false);
    await tick(page, 'value_classes', 'important_value');
    await waitForNames(page, ['杭州云帆科技有限公司']);
    await tick(page, 'service_levels', 'vip');
    await waitForNames(page, ['杭州云帆科技有限公司']);
    const q = await lastQuery(page);
    assert.deepEqual([q.value_classes, q.service_levels], [['important_value'], ['vip']]);
  });
});

describe('sorts by standing', () => {
  test('clicking the CLV header sorts highest first, again lowest first; the next follow-up soonest first', async () => {
    const page = await openList();
    await page.getByTestId('sort-predicted_clv').click();
    const byClv = ['杭州云帆科技有限公司', 'Acme Trading Ltd', '张伟', '深圳华强电子贸易有限公司', 'Blue Harbor Foods', '李娜', 'Northwind Supplies', '成都小雨文具店'];
    await waitForNames(page, byClv);
    assert.deepEqual(await lastQuery(page).then((q) => [q.sort, q.descending]), ['predicted_clv', true]);
    assert.equal(await page.locator('th.col-predicted_clv').getAttribute('aria-sort'), 'descending');
    await page.getByTestId('sort-predicted_clv').click();
    await waitForNames(page, [...byClv].reverse());

    await page.getByTestId('sort-next_follow_up').click();
    // With a follow-up first, the earliest first; the others after, by id.
    await waitForNames(page, ['李娜', 'Acme Trading Ltd', '杭州云帆科技有限公司', '张伟', '深圳华强电子贸易有限公司', 'Blue Harbor Foods', '成都小雨文具店', 'Northwind Supplies']);
    assert.equal(await page.locator('th.col-next_follow_up').getAttribute('aria-sort'), 'ascending');
    await page.getByTestId('sort-next_follow_up').click();
    await waitForNames(page, ['Acme Trading Ltd', '李娜', 'Northwind Supplies', '成都小雨文具店', 'Blue Harbor Foods', '深圳华强电子贸易有限公司', '张伟', '杭州云帆科技有限公司']);
    const last = await lastQuery(page);
    assert.deepEqual([last.sort, last.descending], ['next_follow_up', true]);
  });
});

describe('saved views', () => {
  test('save the filters and sort, apply them back exactly, rename and delete', async () => {
    const page = await openList();
    assert.equal(await page.getByTestId('saved-views').isDisabled(), true, 'nothing saved yet');
    await tick(page, 'tiers', 'a');
    await page.getByTestId('sort-predicted_clv').click();
    await waitForNames(page, ['杭州云帆科技有限公司', 'Acme Trading Ltd']);
    await page.getByTestId('save-view').click();
    await page.getByTestId('view-name').fill('头部客户');
    await page.getByTestId('confirm-view-name').click();
    await page.getByTestId('view-name-dialog').waitFor({ state: 'detached' });
    const saved = (await ipcCalls(page, 'create_saved_view')).at(-1).args;
    assert.equal(saved.name, '头部客户');
    assert.deepEqual([saved.query.tiers, saved.query.sort, saved.query.descending], [['a'], 'predicted_clv', true]);

    // Another list, then the view again: the same query as saved.
    await tick(page, 'tiers', 'a', false);
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('filter-tiers').getAttribute('open'), null, 'Escape closes the menu');
    await page.getByTestId('sort-name').click();
    await page.locator('[data-testid="customer-row"]').nth(7).waitFor();
    await page.getByTestId('saved-views').selectOption({ label: '头部客户' });
    await waitForNames(page, ['杭州云帆科技有限公司', 'Acme Trading Ltd']);
    const applied = await lastQuery(page);
    assert.deepEqual([applied.tiers, applied.sort, applied.descending, applied.offset], [['a'], 'predicted_clv', true, 0]);
    assert.equal(await page.getByTestId('filter-tiers-a').isChecked(), true);

    // A second view with the same name is refused with the field's words.
    await page.getByTestId('save-view').click();
    await page.getByTestId('view-name').fill('头部客户');
    await page.getByTestId('confirm-view-name').click();
    assert.equal(plain(await page.getByTestId('view-error').textContent()), en.validation.taken);
    await page.getByTestId('view-name-dialog').locator('.cancel').click();

    await page.getByTestId('rename-view').click();
    assert.equal(await page.getByTestId('view-name').inputValue(), '头部客户');
    await page.getByTestId('view-name').fill('A 级');
    await page.getByTestId('confirm-view-name').click();
    await page.getByTestId('view-name-dialog').waitFor({ state: 'detached' });
    assert.deepEqual(await page.getByTestId('saved-views').locator('option').allTextContents(), [en.segment_list.views_choose, 'A 级']);

    await page.getByTestId('delete-view').click();
    await page.getByTestId('confirm-delete-view').click();
    await page.getByTestId('delete-view-dialog').waitFor({ state: 'detached' });
    assert.deepEqual(await page.getByTestId('saved-views').locator('option').allTextContents(), [en.segment_list.views_none]);
    assert.equal(plain(await page.getByTestId('toast').last().textContent()), en.segment_list.view_deleted);
  });

  test('a failed load of the views says so', async () => {
    const page = await openList({ failures: { list_saved_views: ['backend task panicked'] } });
    await page.getByTestId('saved-views-error').waitFor();
    assert.ok((await page.getByTestId('saved-views-error').textContent()).length > 0);
  });
});

describe('bulk actions', () => {
  test('ticked rows get a tag in one call, and the bar counts them', async () => {
    const page = await openList();
    await row(page, 'Acme Trading Ltd').getByTestId('select-row').check();
    await row(page, '张伟').getByTestId('select-row').check();
    assert.equal(plain(await page.getByTestId('bulk-count').textContent()), tr(en, 'segment_list.selected_other', { count: 2 }));
    await page.getByTestId('bulk-tag').click();
    await page.getByTestId('bulk-text').fill('回访季');
    await page.getByTestId('confirm-bulk').click();
    await page.getByTestId('bulk-dialog').waitFor({ state: 'detached' });
    const call = (await ipcCalls(page, 'apply_bulk_action')).at(-1).args;
    assert.deepEqual(call, { selection: { ids: [2, 3] }, action: { add_tag: { tag: '回访季' } } });
    assert.equal(plain(await page.getByTestId('toast').last().textContent()), tr(en, 'segment_list.bulk_done_other', { count: 2, selected: 2 }));
    assert.equal(await page.getByTestId('bulk-bar').count(), 0, 'the selection ends with the action');
    const tagged = (await page.evaluate(() => window.__fake.customers)).filter((c) => c.tags.includes('回访季')).map((c) => c.id);
    assert.deepEqual(tagged, [2, 3]);
  });

  test('"select all N matching" acts on the whole filtered result, not the page', async () => {
    const page = await openList();
    await tick(page, 'tiers', 'c');
    await waitForNames(page, ['Blue Harbor Foods', '李娜', 'Northwind Supplies']);
    await page.getByTestId('select-page').check();
    assert.equal(plain(await page.getByTestId('bulk-count').textContent()), tr(en, 'segment_list.selected_other', { count: 3 }));
    await tick(page, 'tiers', 'c', false);
    await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
    await tick(page, 'tiers', 'd');
    await tick(page, 'tiers', 'c');
    await page.locator('[data-testid="customer-row"]').nth(3).waitFor();
    await row(page, '李娜').getByTestId('select-row').check();
    await page.getByTestId('select-all-matching').click();
    assert.equal(plain(await page.getByTestId('bulk-count').textContent()), tr(en, 'segment_list.all_selected_other', { count: 4 }));
    assert.equal(await row(page, 'Blue Harbor Foods').getByTestId('select-row').isChecked(), true);

    await page.getByTestId('bulk-owner').click();
    await page.getByTestId('bulk-text').fill('周敏');
    await page.getByTestId('confirm-bulk').click();
    await page.getByTestId('bulk-dialog').waitFor({ state: 'detached' });
    const call = (await ipcCalls(page, 'apply_bulk_action')).at(-1).args;
    assert.deepEqual(call.selection.query.tiers, ['d', 'c']);
    assert.deepEqual([call.selection.query.offset, call.selection.query.limit], [0, 0]);
    const owned = (await page.evaluate(() => window.__fake.customers)).filter((c) => c.owner === '周敏').map((c) => c.id);
    assert.deepEqual(owned, [5, 6, 7, 8]);
  });

  test('schedule a follow-up for the selection; the list shows it; a refusal keeps the dialog open', async () => {
    const page = await openList();
    await row(page, '张伟').getByTestId('select-row').check();
    await page.getByTestId('bulk-follow-up').click();
    await page.getByTestId('bulk-due').fill('2099-03-04T09:15');
    await page.getByTestId('bulk-reason').fill('x'.repeat(501));
    await page.getByTestId('confirm-bulk').click();
    assert.equal(plain(await page.getByTestId('bulk-error').textContent()), tr(en, 'validation.too_long', { limit: 500 }));
    await page.getByTestId('bulk-reason').fill('季度回访');
    await page.getByTestId('confirm-bulk').click();
    await page.getByTestId('bulk-dialog').waitFor({ state: 'detached' });
    const call = (await ipcCalls(page, 'apply_bulk_action')).at(-1).args;
    assert.deepEqual(call.action, { schedule_follow_up: { due_at: '2099-03-04T09:15:00', owner: null, reason: '季度回访' } });
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="customer-row"]')].some((r) => r.textContent.includes('张伟') && r.textContent.includes('Mar 4, 2099')),
    );
  });

  test('export of the selection takes the ticked rows; in Chinese the bar speaks Chinese', async () => {
    const page = await openList({ language: 'zh-CN', dialogSave: '/tmp/选中客户.csv' }, { locale: 'zh-CN' });
    await row(page, 'Acme Trading Ltd').getByTestId('select-row').check();
    assert.equal(plain(await page.getByTestId('bulk-count').textContent()), tr(zh, 'segment_list.selected_other', { count: 1 }));
    await assertNothingClipped(page);
    await shoot(page, 'segment-list-bulk-zh-CN');
    await page.getByTestId('bulk-export').click();
    await page.getByTestId('export-dialog').waitFor();
    await page.locator('#export-path').fill('/tmp/选中客户.csv');
    await page.getByTestId('confirm-export').click();
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
    const call = (await ipcCalls(page, 'export_customers')).at(-1).args;
    assert.deepEqual(call.selection, { ids: [2] });
  });
});
