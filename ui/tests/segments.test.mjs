// The segments view (overview, member list, migration, settings), the customer's standing on
// the profile and the evaluation after an import, in Chromium against the fake backend.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

// Customer i (in id order) gets the fake backend's template i: tier A, A, B, B, C, C, D, C.
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', is_kol: true },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company' },
  { id: 3, name: '张伟', kind: 'person' },
  { id: 4, name: '深圳华强电子贸易有限公司', kind: 'company' },
  { id: 5, name: 'Blue Harbor Foods', kind: 'company' },
  { id: 6, name: '李娜', kind: 'person' },
  { id: 7, name: '成都小雨文具店', kind: 'company' },
  { id: 8, name: 'Northwind Supplies', kind: 'company' },
];

async function openSegments(seed = {}, options = {}) {
  const page = await open({ seed: { customers: CUSTOMERS, evaluation: true, ...seed }, ...options });
  await page.getByTestId('nav-segments').click();
  await page.locator('#segments-title').waitFor();
  return page;
}

describe('segments overview', () => {
  test('shows the latest run, the tier table with shares and money, and the CLV model', async () => {
    const page = await openSegments();
    await page.getByTestId('tier-table').waitFor();
    assert.equal(plain(await page.getByTestId('segments-latest').textContent()), 'Evaluated Jun 1, 2025 · 8 customers');

    const rows = page.getByTestId('tier-row');
    assert.equal(await rows.count(), 4);
    const cells = async (row) => (await row.locator('td').allTextContents()).map(plain).join(' ');
    const first = await cells(rows.nth(0));
    // Tier A: two customers of eight, ¥48,600 + ¥31,200 contribution.
    assert.match(first, /^A · Head/);
    assert.match(first, /^A · Head 2 25% CN¥266,000\.00 CN¥79,800\.00 78\.6% CN¥5,800\.00 CN¥143,000\.00$/);
    const d = await cells(rows.nth(3));
    assert.match(d, /^D · Low value/);
    assert.match(d, /-CN¥450\.00/);

    const clv = plain(await page.getByTestId('clv-model').textContent());
    assert.match(clv, /Purchases \(BG\/NBD\) r = 0\.2431 α = 4\.414 a = 0\.7929 b = 2\.426/);
    assert.match(clv, /Spend \(Gamma-Gamma\) p = 6\.25 q = 3\.744 γ = 15\.44/);
    assert.equal(await page.getByTestId('clv-unavailable').count(), 0);

    // Every group family is there, translated.
    assert.equal(plain(await page.getByTestId('segment-champions').textContent()), en.evaluation.segment.champions);
    assert.equal(plain(await page.getByTestId('value-class-important_value').textContent()), en.evaluation.value_class.important_value);
    assert.equal(plain(await page.getByTestId('lifecycle-won_back').count().then(String)), '0');
    assert.equal(plain(await page.getByTestId('service-level-vip').textContent()), 'VIP');
    assert.equal(plain(await page.getByTestId('next-action-exit_plan').textContent()), en.evaluation.next_action.exit_plan);
    await assertNothingClipped(page);
    await shoot(page, 'segments-overview-en');
  });

  test('says why there is no CLV model, in Chinese', async () => {
    const failure = { model: 'purchases', cause: 'same_repeat_count' };
    const page = await openSegments({ language: 'zh-CN', evaluation: { clvUnavailable: failure } });
    await page.getByTestId('tier-table').waitFor();
    const reason = tr(zh, 'evaluation.clv_cause.same_repeat_count', { model: tr(zh, 'evaluation.clv_model.purchases') });
    const shown = plain(await page.getByTestId('clv-unavailable').textContent());
    assert.equal(shown, tr(zh, 'segments.clv_unavailable', { reason }));
    assert.ok(!/[a-z]{4}/.test(shown.replace('BG/NBD', '')), `no English in the Chinese notice: ${shown}`);
    assert.equal(await page.getByTestId('clv-purchases').count(), 0);
    assert.equal(plain(await page.getByTestId('tier-a').textContent()), 'A 头部客户');
    assert.equal(plain(await page.getByTestId('segment-cant_lose_them').count().then(String)), '0');
    assert.equal(plain(await page.getByTestId('segment-hibernating').textContent()), '沉睡客户');
    assert.equal(plain(await page.getByTestId('value-class-general_retain').textContent()), '一般挽留客户');
    await assertNothingClipped(page);
    await shoot(page, 'segments-overview-zh-CN');
  });

  test('clicking a tier lists its members; a row opens the profile and back returns', async () => {
    const page = await openSegments({ dialogSave: '/home/lin/Downloads/members.csv' });
    await page.getByTestId('tier-a').click();
    await page.getByTestId('member-row').first().waitFor();
    assert.equal(await page.getByTestId('member-row').count(), 2);
    assert.deepEqual(await page.getByTestId('member-name').allTextContents(), ['杭州云帆科技有限公司', 'Acme Trading Ltd']);
    assert.equal(await page.getByTestId('member-filter-tier').inputValue(), 'a');
    const call = (await ipcCalls(page, 'evaluation_members')).at(-1).args;
    assert.deepEqual(call.filter, { tier: 'a' });
    assert.equal(plain(await page.getByTestId('member-action').first().textContent()), 'Upsell: 办公家具');
    await assertNothingClipped(page);
    await shoot(page, 'segments-members-en');

    // Another filter narrows further; clearing lists everybody.
    await page.getByTestId('member-filter-tier').selectOption('');
    await page.getByTestId('member-filter-exit').check();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="member-row"]').length === 1);
    assert.deepEqual(await page.getByTestId('member-name').allTextContents(), ['成都小雨文具店']);
    await page.getByTestId('member-clear-filters').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="member-row"]').length === 8);

    // Export writes what the list shows.
    await page.getByTestId('export-members').click();
    await page.locator('.toast').filter({ hasText: '/home/lin/Downloads/members.csv' }).waitFor();
    const exported = (await ipcCalls(page, 'export_members')).at(-1).args;
    assert.deepEqual(exported, { runId: 2, filter: {}, language: 'en', path: '/home/lin/Downloads/members.csv' });

    await page.getByTestId('member-row').first().click();
    await page.getByTestId('profile-name').waitFor();
    assert.equal(await page.getByTestId('profile-name').textContent(), '杭州云帆科技有限公司');
    await page.getByTestId('back-to-list').click();
    await page.getByTestId('member-row').first().waitFor();
    assert.equal(await page.getByTestId('segments-tab-members').getAttribute('aria-pressed'), 'true');
  });

  test('the members export from the app in Chinese asks for a Chinese file', async () => {
    const page = await openSegments({ dialogSave: '/home/lin/Downloads/成员.csv' });
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.getByTestId('tier-a').click();
    await page.getByTestId('member-row').first().waitFor();
    await page.getByTestId('export-members').click();
    await page.locator('.toast').filter({ hasText: '/home/lin/Downloads/成员.csv' }).waitFor();
    const exported = (await ipcCalls(page, 'export_members')).at(-1).args;
    assert.deepEqual(exported, { runId: 2, filter: { tier: 'a' }, language: 'zh-CN', path: '/home/lin/Downloads/成员.csv' });

    // Switching back asks for English from then on.
    await page.getByTestId('lang-en').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.getByTestId('export-members').click();
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'export_members').length === 2);
    assert.equal((await ipcCalls(page, 'export_members')).at(-1).args.language, 'en');
  });

  test('the migration matrix counts customers from the earlier to the later run', async () => {
    const page = await openSegments();
    await page.getByTestId('segments-tab-migration').click();
    await page.getByTestId('migration-matrix').waitFor();
    const call = (await ipcCalls(page, 'evaluation_migration')).at(-1).args;
    assert.deepEqual(call, { fromRun: 1, toRun: 2, dimension: 'tier' });
    // Earlier templates are shifted by one: A A B B C C D C became A B B C C D C for customers 1..7;
    // customer 8 is new in the later run.
    assert.equal(await page.getByTestId('matrix-cell-a-a').textContent(), '1');
    assert.equal(await page.getByTestId('matrix-cell-b-a').textContent(), '1');
    assert.equal(await page.getByTestId('matrix-cell-none-c').textContent(), '1');
    assert.match(plain(await page.getByTestId('migration-matrix').textContent()), /Not in run/);
    await assertNothingClipped(page);
    await shoot(page, 'segments-migration-en');

    await page.getByTestId('migration-dimension').selectOption('lifecycle');
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'evaluation_migration').at(-1).args.dimension === 'lifecycle');
    await page.getByTestId('matrix-cell-loyal-loyal').waitFor();
    assert.deepEqual(await page.getByTestId('matrix-col').allTextContents(), ['New', 'Repeat', 'Loyal', 'At risk', 'Churned']);
  });

  test('a settings error shows next to its field, translated', async () => {
    const page = await openSegments({ language: 'zh-CN' });
    await page.getByTestId('segments-tab-settings').click();
    await page.getByTestId('setting-tier_a_share').waitFor();
    assert.equal(await page.getByTestId('setting-tier_a_share').inputValue(), '70');
    assert.equal(await page.getByTestId('setting-service_hour_cost_minor').inputValue(), '60');
    // B must cover more than A.
    await page.getByTestId('setting-tier_b_share').fill('60');
    await page.getByTestId('setting-window_months').fill('twelve');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('setting-error-window_months').waitFor();
    assert.equal(plain(await page.getByTestId('setting-error-window_months').textContent()), zh.validation.unparseable);
    assert.equal((await ipcCalls(page, 'save_evaluation_settings')).length, 0);

    await page.getByTestId('setting-window_months').fill('12');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('setting-error-tier_b_share').waitFor();
    assert.equal(plain(await page.getByTestId('setting-error-tier_b_share').textContent()), zh.validation.out_of_range);
    assert.equal(await page.getByTestId('setting-tier_b_share').getAttribute('aria-invalid'), 'true');
    const sent = (await ipcCalls(page, 'save_evaluation_settings')).at(-1).args.settings;
    assert.equal(sent.tier_b_share, 0.6);
    assert.equal(sent.service_hour_cost_minor, 6000);
    await assertNothingClipped(page);
    await shoot(page, 'segments-settings-zh-CN');

    await page.getByTestId('setting-tier_b_share').fill('95');
    await page.getByTestId('save-settings').click();
    await page.locator('.toast').filter({ hasText: zh.segments.settings_saved }).waitFor();
    assert.equal(await page.getByTestId('setting-error-tier_b_share').count(), 0);
  });

  test('the run button shows progress by stage, then the new run', async () => {
    const page = await openSegments({ evaluation: { runs: 0, stageDelayMs: 250 } });
    await page.getByTestId('segments-empty').waitFor();
    await page.getByTestId('run-evaluation').click();
    await page.getByTestId('evaluation-progress').waitFor();
    assert.equal(await page.getByTestId('run-evaluation').isDisabled(), true);
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="evaluation-stage"]')?.textContent.includes(text),
      en.evaluation.stage.fitting_clv,
    );
    await shoot(page, 'segments-running-en');
    // The page stays usable while it runs.
    await page.getByTestId('segments-tab-settings').click();
    await page.getByTestId('setting-window_months').waitFor();
    await page.getByTestId('segments-tab-overview').click();
    await page.getByTestId('tier-table').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('evaluation-progress').count(), 0);
    assert.equal(plain(await page.getByTestId('segments-latest').textContent()), 'Evaluated Jun 1, 2025 · 8 customers');
    await page.locator('.toast').filter({ hasText: tr(en, 'segments.run_done_other', { count: 8 }) }).waitFor();
    const call = (await ipcCalls(page, 'run_evaluation')).at(-1).args;
    assert.equal(call.trigger, 'manual');
    assert.equal(call.asOf, null);
  });
});

describe('the lists after a run', () => {
  test('a failed build of the list rows says so, and the lists keep the run before', async () => {
    const failure = { code: 'database', message: 'disk I/O error', details: { fields: [], params: { reason: 'disk I/O error' } } };
    const page = await openSegments({ evaluation: { runs: 1 } });
    // The window's own look at start, a moment after it opens, finds nothing to build.
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'build_latest_standings'));
    await page.evaluate((f) => window.__fake.failNext('build_latest_standings', f), failure);
    await page.getByTestId('run-evaluation').click();
    await page.locator('.toast').filter({ hasText: tr(en, 'segments.run_done_other', { count: 8 }) }).waitFor();
    const toast = page.locator('.toast').filter({ hasText: 'The lists could not move to the latest evaluation' });
    await toast.waitFor();
    assert.equal(plain(await toast.textContent()), tr(en, 'segments.standings_failed', { reason: en.error.database }));
    assert.equal((await ipcCalls(page, 'build_latest_standings')).length, 2);
  });
});

describe('standing on the profile', () => {
  async function openProfile(id, seed = {}) {
    const page = await open({ seed: { customers: CUSTOMERS, evaluation: true, ...seed } });
    await page.getByTestId('customer-row').first().waitFor();
    await page.getByTestId('customer-row').filter({ hasText: CUSTOMERS.find((c) => c.id === id).name }).click();
    await page.getByTestId('standing').waitFor();
    return page;
  }

  test('shows tier, scores, CLV and the reasons in English and Chinese', async () => {
    const page = await openProfile(1);
    await page.getByTestId('standing-reason').first().waitFor();
    assert.equal(plain(await page.getByTestId('standing-tier').textContent()), 'A · Head');
    assert.equal(plain(await page.getByTestId('standing-rfm').textContent()), 'R5 F5 M5 · Champions');
    assert.equal(plain(await page.getByTestId('standing-p_alive').textContent()), '97%');
    assert.equal(plain(await page.getByTestId('standing-predicted_clv').textContent()), 'CN¥91,000.00');
    assert.equal(plain(await page.getByTestId('standing-next_action').textContent()), 'Upsell: 办公家具');
    const reasons = (await page.getByTestId('standing-reason').allTextContents()).map(plain);
    // Eight buyers are too few for quintiles: each score says its band on the fixed scale.
    const fixed = 'on the fixed thresholds: only 8 buyers so far (quintiles from 100)';
    assert.ok(reasons.includes(`R = 5: last purchase 3 days ago — up to 30 days scores 5, ${fixed}`), reasons.join('\n'));
    assert.ok(reasons.includes(`F = 5: 13 orders in the last 12 months — 6 orders or more scores 5, ${fixed}`));
    assert.ok(reasons.includes(`M = 5: CN¥162,000.00 spent in the last 12 months — CN¥3,000.00 or more scores 5, ${fixed}`));
    assert.ok(
      reasons.includes(
        'A · Head: contribution CN¥48,600.00; tier A from CN¥31,200.00, tier B from CN¥6,400.00 — ranked among only 8 buyers; tiers mean more from 100',
      ),
    );
    assert.ok(reasons.includes('14 purchases over 630 days, P(alive) 97%'));
    assert.ok(reasons.includes('Next action: Upsell — 62% of Champions bought 办公家具'));
    assert.equal(await page.getByTestId('history-row').count(), 2);
    await assertNothingClipped(page);
    await shoot(page, 'profile-standing-en');

    await page.getByTestId('lang-zh-CN').click();
    await page.getByTestId('standing-reason').filter({ hasText: '最近一次购买' }).waitFor();
    const zhReasons = (await page.getByTestId('standing-reason').allTextContents()).map(plain);
    assert.ok(
      zhReasons.includes('R=5：最近一次购买在 3 天前（不超过 30 天得 5 分，目前仅 8 位买家，按固定阈值评分，满 100 位后按五分位）'),
      zhReasons.join('\n'),
    );
    assert.ok(
      zhReasons.includes('A 头部客户：利润贡献 ¥48,600.00；A 层门槛 ¥31,200.00，B 层门槛 ¥6,400.00（仅在 8 位买家中排序；满 100 位后分层更有意义）'),
    );
    assert.ok(zhReasons.includes('下一步行动：追加销售——“冠军客户”中 62% 的客户购买了“办公家具”'));
    await assertNothingClipped(page);
    await shoot(page, 'profile-standing-zh-CN');
  });

  test('an exit candidate and an at-risk customer get their own reasons', async () => {
    const page = await openProfile(7, { language: 'zh-CN' });
    await page.getByTestId('standing-reason').first().waitFor();
    assert.match(plain(await page.getByTestId('standing-exit').textContent()), /降低服务成本/);
    const reasons = (await page.getByTestId('standing-reason').allTextContents()).map(plain);
    assert.ok(reasons.some((r) => r.startsWith('退出候选（降低服务成本）：连续 4 次评估为低价值')), reasons.join('\n'));
    assert.ok(reasons.includes('已 402 天未购买（阈值 365 天）'));

    await page.getByTestId('back-to-list').click();
    await page.getByTestId('customer-row').filter({ hasText: '李娜' }).click();
    await page.getByTestId('standing-reason').filter({ hasText: '通常间隔' }).waitFor();
    const risk = (await page.getByTestId('standing-reason').allTextContents()).map(plain);
    assert.ok(risk.includes('距上次购买 212 天，超过通常间隔 45 天的 2 倍'), risk.join('\n'));
    assert.ok(risk.includes('下一步行动：挽回——有流失风险'));
  });

  test('a customer never evaluated gets a hint to run an evaluation', async () => {
    const page = await openProfile(1, { evaluation: false });
    await page.getByTestId('standing-never').waitFor();
    assert.equal(plain(await page.getByTestId('standing-never').textContent()), en.standing.never);
  });
});

describe('evaluation after an import', () => {
  test('a finished import starts an evaluation in the background and says when it is done', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, evaluation: { runs: 1, stageDelayMs: 40 } } });
    await page.getByTestId('customer-row').first().waitFor();
    await page.getByTestId('nav-import').click();
    await page.locator('#import-path').fill('/home/lin/Downloads/客户名单.csv');
    await page.getByTestId('import-preview').click();
    await page.getByTestId('import-preview-panel').waitFor();
    await page.getByTestId('import-run').click();
    await page.locator('.toast').filter({ hasText: 'Evaluation finished' }).waitFor({ timeout: 10_000 });
    const runs = await ipcCalls(page, 'run_evaluation');
    assert.equal(runs.length, 1);
    assert.equal(runs[0].args.trigger, 'import');
    // The wizard was not held up: its report is on screen.
    assert.equal(await page.getByTestId('import-preview-panel').isVisible(), true);
  });
});
