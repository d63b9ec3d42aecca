// The pipeline board: columns, counts and conversion, moving cards by drag and by keyboard,
// the lost reason, and its empty, loading and error states, in Chromium against the fake
// backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

const PROSPECTS = [
  { id: 1, name: '华东精密仪器有限公司', pipeline_stage: 'awareness', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', pipeline_stage: 'awareness', owner: 'Emma Clarke' },
  { id: 3, name: '张伟', kind: 'person', pipeline_stage: 'interest' },
  { id: 4, name: '李娜', kind: 'person', pipeline_stage: 'decision', owner: '陈静' },
  { id: 5, name: 'Blue Harbor Foods', pipeline_stage: 'won' },
  { id: 6, name: '成都小雨文具店', pipeline_stage: 'lost' },
  { id: 7, name: '不在漏斗里的客户' },
];

async function openBoard(seed = {}, options = {}) {
  const page = await open({ seed: { customers: PROSPECTS, ...seed }, ...options });
  await page.getByTestId('nav-pipeline').click();
  await page.locator('#pipeline-title').waitFor();
  return page;
}

const column = (page, stage) => page.getByTestId(`pipeline-column-${stage}`);
const count = async (page, stage) => plain(await page.getByTestId(`pipeline-count-${stage}`).textContent());
const namesIn = async (page, stage) => (await column(page, stage).locator('.card-name').allTextContents()).map(plain);
const focusedTestid = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));

describe('pipeline board', () => {
  test('shows a column per stage with counts, conversion, win rate, owners and days in stage', async () => {
    const page = await openBoard();
    await page.getByTestId('pipeline-board').waitFor();
    const titles = (await page.locator('.column h2').allTextContents()).map(plain);
    assert.deepEqual(titles, ['Awareness', 'Interest', 'Decision', 'Purchase', 'Won', 'Lost']);
    const counts = [];
    for (const stage of ['awareness', 'interest', 'decision', 'purchase', 'won', 'lost']) counts.push(await count(page, stage));
    assert.deepEqual(counts, ['2', '1', '1', '0', '1', '1'], 'the customer outside the pipeline is on no column');
    assert.equal(plain(await page.getByTestId('pipeline-win-rate').textContent()), 'Win rate 50%');
    assert.equal(plain(await page.getByTestId('pipeline-conversion-awareness').textContent()), '0% moved on');
    assert.equal(plain(await page.getByTestId('pipeline-conversion-purchase').textContent()), en.pipeline_board.conversion_none);
    assert.equal(await page.getByTestId('pipeline-conversion-won').count(), 0, 'outcomes have no conversion');
    assert.deepEqual(await namesIn(page, 'awareness'), ['华东精密仪器有限公司', 'Acme Trading Ltd']);
    const card = plain(await page.getByTestId('pipeline-card-1').textContent());
    // Seeded on Jan 15th; the fake's today is June 1st 2025.
    assert.equal(card, '华东精密仪器有限公司 王磊 137 days in stage');
    assert.match(plain(await page.getByTestId('pipeline-card-3').textContent()), /No owner/);
    assert.equal(plain(await column(page, 'purchase').locator('.column-empty').textContent()), en.pipeline_board.column_empty);
    await assertNothingClipped(page);
    await shoot(page, 'pipeline-en');
  });

  test('dragging a card to another column moves it, updates the figures and announces it', async () => {
    const page = await openBoard();
    await page.getByTestId('pipeline-card-1').dragTo(column(page, 'interest'));
    await page.waitForFunction(() => document.querySelector('[data-testid="pipeline-count-interest"]')?.textContent?.trim() === '2');
    const moves = await ipcCalls(page, 'move_prospect');
    assert.deepEqual(moves.map((c) => c.args.input), [{ customer_id: 1, to_stage: 'interest', lost_reason: null }]);
    assert.deepEqual(await namesIn(page, 'interest'), ['张伟', '华东精密仪器有限公司']);
    assert.equal(await count(page, 'awareness'), '1');
    // Of the two who reached awareness, one moved on.
    assert.equal(plain(await page.getByTestId('pipeline-conversion-awareness').textContent()), '50% moved on');
    assert.equal(
      plain(await page.getByTestId('pipeline-announcement').textContent()),
      tr(en, 'pipeline_board.moved', { name: '华东精密仪器有限公司', stage: 'Interest' }),
    );
    assert.equal(await page.getByTestId('pipeline-announcement').getAttribute('aria-live'), 'polite');
    assert.match(plain(await page.getByTestId('pipeline-card-1').textContent()), /0 days in stage/);

    // Dropped on its own column: nothing happens.
    await page.getByTestId('pipeline-card-3').dragTo(column(page, 'interest'));
    assert.equal((await ipcCalls(page, 'move_prospect')).length, 1);
  });

  test('moves a focused card with Alt+arrows and through the move menu, the focus following it', async () => {
    const page = await openBoard();
    await page.getByTestId('pipeline-open-3').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-testid="pipeline-count-decision"]')?.textContent?.trim() === '2');
    assert.equal(await focusedTestid(page), 'pipeline-open-3', 'the focus stays on the moved card');
    assert.deepEqual(await namesIn(page, 'decision'), ['李娜', '张伟']);
    await page.keyboard.press('Alt+ArrowRight');
    await column(page, 'purchase').getByTestId('pipeline-card-3').waitFor();
    assert.equal(await focusedTestid(page), 'pipeline-open-3');
    await page.keyboard.press('Alt+ArrowLeft');
    await column(page, 'decision').getByTestId('pipeline-card-3').waitFor();
    assert.equal(
      plain(await page.getByTestId('pipeline-announcement').textContent()),
      tr(en, 'pipeline_board.moved', { name: '张伟', stage: 'Decision' }),
    );

    // Tab to its move button, open the menu with Enter: every other stage, the first focused.
    await page.keyboard.press('Tab');
    assert.equal(await focusedTestid(page), 'pipeline-move-3');
    await page.keyboard.press('Enter');
    const menu = page.getByTestId('pipeline-move-menu');
    await menu.waitFor();
    const items = (await menu.getByRole('menuitem').allTextContents()).map(plain);
    assert.deepEqual(items, ['Move to Awareness', 'Move to Interest', 'Move to Purchase', 'Move to Won', 'Move to Lost']);
    assert.equal(await focusedTestid(page), 'pipeline-move-to-awareness');
    await page.keyboard.press('Escape');
    assert.equal(await menu.count(), 0);
    assert.equal(await focusedTestid(page), 'pipeline-move-3', 'Escape closes the menu and returns to its button');

    await page.keyboard.press('Enter');
    await menu.waitFor();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await focusedTestid(page), 'pipeline-move-to-won');
    await page.keyboard.press('Enter');
    await column(page, 'won').getByTestId('pipeline-card-3').waitFor();
    assert.equal(plain(await page.getByTestId('pipeline-win-rate').textContent()), 'Win rate 66.7%');
    assert.equal(await focusedTestid(page), 'pipeline-open-3');
    const moves = (await ipcCalls(page, 'move_prospect')).map((c) => c.args.input.to_stage);
    assert.deepEqual(moves, ['decision', 'purchase', 'decision', 'won']);
  });

  test('lost asks for a reason: empty is refused at the field, Escape cancels, a reason moves it', async () => {
    const page = await openBoard();
    // Alt+→ from won leads to lost, which asks first.
    await page.getByTestId('pipeline-open-5').focus();
    await page.keyboard.press('Alt+ArrowRight');
    const dialog = page.getByTestId('pipeline-lost-dialog');
    await dialog.waitFor();
    assert.equal(plain(await dialog.locator('h2').textContent()), tr(en, 'pipeline_board.lost_title', { name: 'Blue Harbor Foods' }));
    assert.equal(await focusedTestid(page), 'pipeline-lost-reason');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'move_prospect')).length, 0, 'cancelled: nothing moved');

    await page.getByTestId('pipeline-move-4').click();
    await page.getByTestId('pipeline-move-to-lost').click();
    await dialog.waitFor();
    await page.getByTestId('pipeline-lost-confirm').click();
    const error = dialog.locator('#pipeline_lost-lost_reason-error');
    await error.waitFor();
    assert.equal(plain(await error.textContent()), en.validation.required);
    assert.equal(await page.getByTestId('pipeline-lost-reason').getAttribute('aria-invalid'), 'true');
    assert.equal(await count(page, 'decision'), '1', 'a refused move leaves the card');
    await shoot(page, 'pipeline-lost-reason-en');

    await page.getByTestId('pipeline-lost-reason').fill('  选了竞品  ');
    await page.getByTestId('pipeline-lost-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await column(page, 'lost').getByTestId('pipeline-card-4').waitFor();
    assert.match(plain(await page.getByTestId('pipeline-card-4').textContent()), /Lost: 选了竞品$/);
    assert.equal(await count(page, 'lost'), '2');
    assert.equal(plain(await page.getByTestId('pipeline-win-rate').textContent()), 'Win rate 33.3%');
  });

  test('a card opens the customer profile, and back returns to the board', async () => {
    const page = await openBoard();
    await page.getByTestId('pipeline-open-4').click();
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), '李娜');
    await page.getByTestId('back-to-list').click();
    await page.getByTestId('pipeline-board').waitFor();
  });

  test('a long column shows its first page and more on request', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: `客户${String(i + 1).padStart(2, '0')}`, pipeline_stage: 'interest' }));
    const page = await openBoard({ customers: many });
    assert.equal((await column(page, 'interest').getByRole('listitem').all()).length, 20);
    const more = page.getByTestId('pipeline-more-interest');
    assert.equal(plain(await more.textContent()), 'Show 5 more');
    await more.click();
    await column(page, 'interest').getByTestId('pipeline-card-25').waitFor();
    assert.equal(await more.count(), 0);
    assert.deepEqual(
      (await ipcCalls(page, 'list_pipeline_stage')).map((c) => c.args),
      [{ stage: 'interest', offset: 20, limit: 20 }],
    );
  });

  test('in Chinese', async () => {
    const page = await openBoard({ language: 'zh-CN' });
    await page.getByTestId('pipeline-board').waitFor();
    assert.equal(plain(await page.locator('#pipeline-title').textContent()), zh.pipeline_board.title);
    assert.equal(plain(await page.getByTestId('pipeline-win-rate').textContent()), '赢单率 50%');
    assert.equal(plain(await page.getByTestId('pipeline-conversion-awareness').textContent()), '推进率 0%');
    assert.match(plain(await page.getByTestId('pipeline-card-3').textContent()), /未分配负责人 在此阶段 137 天/);
    await page.getByTestId('pipeline-open-2').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await column(page, 'interest').getByTestId('pipeline-card-2').waitFor();
    assert.equal(plain(await page.getByTestId('pipeline-announcement').textContent()), '已将 Acme Trading Ltd 移到“兴趣”。'.replace('兴趣', zh.pipeline.interest));
    await page.getByTestId('pipeline-move-6').click();
    assert.equal(plain(await page.getByTestId('pipeline-move-to-won').textContent()), `移到“${zh.pipeline.won}”`);
    await page.keyboard.press('Escape');
    await assertNothingClipped(page);
    await shoot(page, 'pipeline-zh-CN');
  });
});

describe('pipeline board states', () => {
  test('empty, in both languages', async () => {
    for (const [language, messages] of [['en', en], ['zh-CN', zh]]) {
      const page = await openBoard({ customers: [{ id: 1, name: '老客户' }], language });
      const empty = page.getByTestId('pipeline-empty');
      await empty.waitFor();
      assert.equal(plain(await empty.locator('h2').textContent()), messages.pipeline_board.empty_title);
      assert.equal(await page.getByTestId('pipeline-board').count(), 0);
      assert.equal(plain(await page.getByTestId('pipeline-win-rate').textContent()), messages.pipeline_board.win_rate_none);
      await shoot(page, `pipeline-empty-${language}`);
    }
  });

  test('loading, then the board', async () => {
    const page = await openBoard({ pipelineDelayMs: 600 });
    const loading = page.locator('.board-loading');
    await loading.waitFor();
    assert.equal(plain(await loading.textContent()), en.common.loading);
    await page.getByTestId('pipeline-board').waitFor();
    assert.equal(await loading.count(), 0);
  });

  test('an error offers a retry that loads the board', async () => {
    const failure = { code: 'database', message: 'disk I/O error', details: { fields: [], params: { reason: 'disk I/O error' } } };
    const page = await openBoard({ failures: { pipeline_board: [failure] }, language: 'zh-CN' });
    const banner = page.locator('.banner');
    await banner.waitFor();
    assert.match(plain(await banner.textContent()), new RegExp(zh.common.retry));
    await shoot(page, 'pipeline-error-zh-CN');
    await banner.getByRole('button', { name: zh.common.retry }).click();
    await page.getByTestId('pipeline-board').waitFor();
    assert.equal(await banner.count(), 0);
  });

  test('a move that fails says why and leaves the card', async () => {
    const page = await openBoard();
    await page.evaluate(() =>
      window.__fake.failNext('move_prospect', { code: 'read_only', message: 'read only', details: { fields: [], params: {} } }),
    );
    await page.getByTestId('pipeline-open-1').focus();
    await page.keyboard.press('Alt+ArrowRight');
    const toast = page.locator('.toast').first();
    await toast.waitFor();
    assert.match(plain(await toast.textContent()), new RegExp(`^${tr(en, 'pipeline_board.move_failed', { name: '华东精密仪器有限公司', reason: '' })}`));
    assert.equal(await count(page, 'awareness'), '2');
  });
});
