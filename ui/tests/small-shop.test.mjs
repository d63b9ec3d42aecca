// A small shop's evaluation: prospects as a group of their own wherever tiers show (segments
// tier table and members, the customer list's tier column and filter, the profile), the note
// that there are too few buyers for quintiles, and the fixed-scale settings, in Chromium
// against the fake backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, waitForNames, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

// Customer i (in id order) gets the fake backend's template i: tier A, A, B, B, C, then
// 李娜 a prospect, D, and Northwind Supplies a prospect: six buyers.
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

const SEED = { customers: CUSTOMERS, evaluation: { prospects: [6, 8] } };

const row = (page, name) => page.locator('[data-testid="customer-row"]').filter({ hasText: name });

describe('prospects as a group of their own', () => {
  test('segments show them below the tiers, with the note that there are too few buyers to rank', async () => {
    const page = await open({ seed: SEED });
    await page.getByTestId('nav-segments').click();
    await page.getByTestId('tier-table').waitFor();

    const rows = page.getByTestId('tier-row');
    assert.equal(await rows.count(), 5, 'A, B, C, D, then prospects');
    const last = plain((await rows.nth(4).locator('td').allTextContents()).join(' '));
    assert.match(last, /^Prospect · no purchase yet 2 25% CN¥0\.00 -CN¥400\.00/);
    assert.match((await rows.nth(4).getAttribute('class')) ?? '', /apart/);
    assert.equal(
      plain(await page.getByTestId('few-buyers').textContent()),
      tr(en, 'scores.few_buyers_other', { count: 6, min: 100 }),
    );
    await assertNothingClipped(page);
    await shoot(page, 'segments-prospects-en');

    await page.getByTestId('tier-prospect').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="member-row"]').length === 2);
    assert.deepEqual(await page.getByTestId('member-name').allTextContents(), ['李娜', 'Northwind Supplies']);
    assert.equal(await page.getByTestId('member-filter-tier').inputValue(), 'prospect');
    assert.deepEqual((await ipcCalls(page, 'evaluation_members')).at(-1).args.filter, { tier: 'prospect' });

    await page.getByTestId('lang-zh-CN').click();
    await page.getByTestId('segments-tab-overview').click();
    await page.getByTestId('few-buyers').waitFor();
    assert.equal(plain(await page.getByTestId('tier-prospect').textContent()), zh.evaluation.tier.prospect);
    assert.equal(
      plain(await page.getByTestId('few-buyers').textContent()),
      tr(zh, 'scores.few_buyers_other', { count: 6, min: 100 }),
    );
    await assertNothingClipped(page);
    await shoot(page, 'segments-prospects-zh-CN');
  });

  test('the customer list shows and filters them by tier; their profile says why they are in no tier', async () => {
    const page = await open({ seed: SEED });
    await page.locator('[data-testid="customer-row"]').first().waitFor();
    const prospectBadge = row(page, '李娜').getByTestId('cell-tier').locator('.badge');
    await prospectBadge.filter({ hasText: en.evaluation.lifecycle.prospect }).waitFor();
    assert.equal(await prospectBadge.getAttribute('title'), en.evaluation.tier.prospect, 'the whole label on hover');
    assert.equal(plain(await row(page, '成都小雨文具店').getByTestId('cell-tier').textContent()), en.evaluation.tier.d);

    await page.getByTestId('filter-tiers').locator('summary').click();
    assert.equal(plain(await page.getByTestId('filter-tiers').textContent()).includes(en.evaluation.tier.prospect), true);
    await page.getByTestId('filter-tiers-prospect').setChecked(true);
    await waitForNames(page, ['李娜', 'Northwind Supplies']); // in pinyin order: li, n
    assert.deepEqual((await ipcCalls(page, 'list_customers')).at(-1).args.query.tiers, ['prospect']);
    await page.keyboard.press('Escape');
    await assertNothingClipped(page);
    await shoot(page, 'customers-prospects-en');

    await row(page, '李娜').click();
    await page.getByTestId('standing-reason').first().waitFor();
    assert.equal(plain(await page.getByTestId('standing-tier').textContent()), en.evaluation.tier.prospect);
    const reasons = (await page.getByTestId('standing-reason').allTextContents()).map(plain);
    assert.ok(reasons.includes(en.scores.tier_prospect), reasons.join('\n'));
    assert.ok(reasons.includes('Standard service, based on: Prospect · no purchase yet'), reasons.join('\n'));
    assert.equal(await page.getByTestId('standing-exit').count(), 0);
    assert.equal(plain(await page.getByTestId('standing-lifecycle').textContent()), en.evaluation.lifecycle.prospect);

    await page.getByTestId('lang-zh-CN').click();
    await page.getByTestId('standing-reason').filter({ hasText: zh.scores.tier_prospect }).waitFor();
    assert.equal(plain(await page.getByTestId('standing-tier').textContent()), zh.evaluation.tier.prospect);
    await assertNothingClipped(page);
    await shoot(page, 'profile-prospect-zh-CN');
  });
});

describe('fixed-scale settings', () => {
  test('show their defaults, refuse a scale that does not rise, next to the field, and save', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' } });
    await page.getByTestId('nav-segments').click();
    await page.getByTestId('segments-tab-settings').click();
    await page.getByTestId('setting-score_min_buyers').waitFor();
    const form = page.getByTestId('evaluation-settings');
    assert.equal(plain(await form.textContent()).includes(zh.scores.settings_title), true);
    const value = (field) => page.getByTestId(`setting-${field}`).inputValue();
    assert.deepEqual(
      await Promise.all(['score_min_buyers', 'recency_5_days', 'recency_2_days', 'frequency_5_orders'].map(value)),
      ['100', '30', '365', '6'],
    );
    assert.deepEqual(await Promise.all(['monetary_2_minor', 'monetary_5_minor'].map(value)), ['100', '3000'], 'yuan, not fen');

    // A typo is caught before sending; a scale that falls is refused by the backend.
    await page.getByTestId('setting-monetary_3_minor').fill('三百');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('setting-error-monetary_3_minor').waitFor();
    assert.equal(plain(await page.getByTestId('setting-error-monetary_3_minor').textContent()), zh.validation.unparseable);
    assert.equal((await ipcCalls(page, 'save_evaluation_settings')).length, 0);

    await page.getByTestId('setting-monetary_3_minor').fill('300');
    await page.getByTestId('setting-recency_4_days').fill('20');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('setting-error-recency_4_days').waitFor();
    assert.equal(plain(await page.getByTestId('setting-error-recency_4_days').textContent()), zh.validation.out_of_range);
    assert.equal(await page.getByTestId('setting-recency_4_days').getAttribute('aria-invalid'), 'true');
    await assertNothingClipped(page);
    await shoot(page, 'segments-fixed-scales-zh-CN');

    await page.getByTestId('setting-recency_4_days').fill('60');
    await page.getByTestId('setting-monetary_2_minor').fill('50');
    await page.getByTestId('setting-score_min_buyers').fill('40');
    await page.getByTestId('save-settings').click();
    await page.locator('.toast').filter({ hasText: zh.segments.settings_saved }).waitFor();
    const sent = (await ipcCalls(page, 'save_evaluation_settings')).at(-1).args.settings;
    assert.deepEqual(
      [sent.recency_4_days, sent.monetary_2_minor, sent.score_min_buyers, sent.frequency_2_orders],
      [60, 5000, 40, 2],
    );
    const saved = (await ipcCalls(page, 'evaluation_settings')).length;
    assert.ok(saved >= 1);

    await page.getByTestId('lang-en').click();
    await page.getByText(en.evaluation.setting.recency_5_days).waitFor();
    assert.equal(plain(await form.textContent()).includes(en.scores.settings_title), true);
  });
});
