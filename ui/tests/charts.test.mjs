// The Charts page: filters, a card per chart drawn as SVG, saving a chart through the save
// dialog, the report export, and the empty, loading and error states, in Chromium against the
// fake backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company', owner: 'Lin' },
  { id: 3, name: '张伟', kind: 'person', owner: '王磊' },
  { id: 4, name: '深圳华强电子贸易有限公司', kind: 'company' },
];

const FAILURE = { code: 'database', message: 'disk I/O error', details: { fields: [], params: { reason: 'disk I/O error' } } };

async function openCharts(seed = {}, options = {}) {
  const page = await open({ seed: { customers: CUSTOMERS, evaluation: true, ...seed }, ...options });
  await page.getByTestId('nav-charts').click();
  await page.locator('#charts-title').waitFor();
  return page;
}

/** Waits until every card shows its drawing. */
async function drawn(page) {
  await page.getByTestId('chart-grid').waitFor();
  await page.waitForFunction(() => {
    const cards = document.querySelectorAll('[data-testid="chart-card"]');
    return cards.length > 0 && [...cards].every((c) => c.querySelector('[data-testid="chart-image"]'));
  });
}

describe('charts page', () => {
  test('shows a card per chart of the latest run, drawn as SVG, in English', async () => {
    const page = await openCharts();
    await drawn(page);
    const cards = page.getByTestId('chart-card');
    assert.equal(await cards.count(), 13, 'no migration without a comparison run');
    assert.equal(await page.locator('[data-chart="tier_migration"]').count(), 0);
    const tiers = page.locator('[data-chart="tiers"]');
    assert.equal((await tiers.locator('h2').textContent()).trim(), en.charts.title_tiers);
    const src = await tiers.getByTestId('chart-image').getAttribute('src');
    assert.ok(src.startsWith('data:image/svg+xml'), src.slice(0, 40));
    assert.ok(decodeURIComponent(src).includes('Customers and profit contribution by tier'), 'the SVG in English');
    const last = (await ipcCalls(page, 'chart_svg')).at(-1).args;
    assert.equal(last.language, 'en');
    assert.equal(last.query.run_id, 2, 'the latest run');
    assert.equal((await page.getByTestId('chart-run').inputValue()), '2');
    await assertNothingClipped(page);
    await shoot(page, 'charts-en');
  });

  test('in Chinese the titles and the drawings are Chinese', async () => {
    const page = await openCharts({ language: 'zh-CN' }, { locale: 'zh-CN' });
    await drawn(page);
    const tiers = page.locator('[data-chart="tiers"]');
    assert.equal((await tiers.locator('h2').textContent()).trim(), zh.charts.title_tiers);
    const src = await tiers.getByTestId('chart-image').getAttribute('src');
    assert.ok(decodeURIComponent(src).includes('各层级客户数与利润贡献'), 'the SVG in Chinese');
    assert.equal((await page.getByTestId('save-png').first().textContent()).trim(), zh.charts.save_png);
    assert.equal((await page.getByTestId('export-report').textContent()).trim(), zh.charts.export_report);
    assert.equal((await ipcCalls(page, 'chart_svg')).at(-1).args.language, 'zh-CN');
    await assertNothingClipped(page);
    await shoot(page, 'charts-zh-CN');
  });

  test('the filters change what is asked, and a comparison run adds the migrations', async () => {
    const page = await openCharts();
    await drawn(page);
    await page.getByTestId('chart-compare').selectOption('1');
    await page.locator('[data-chart="tier_migration"] [data-testid="chart-image"]').waitFor();
    let query = (await ipcCalls(page, 'list_charts')).at(-1).args.query;
    assert.deepEqual(query, { run_id: 2, compare_run_id: 1, members: { owner: null, channel: null } });
    assert.equal(await page.getByTestId('chart-card').count(), 15);
    const migration = await page.locator('[data-chart="tier_migration"] [data-testid="chart-image"]').getAttribute('src');
    assert.ok(decodeURIComponent(migration).includes('Tier migration: 2025-03-01 → 2025-06-01'));

    await page.getByTestId('chart-owner').selectOption('王磊');
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'list_charts' && c.args.query.members.owner === '王磊'));
    await page.getByTestId('chart-channel').selectOption('store');
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'list_charts' && c.args.query.members.channel === 'store'));
    query = (await ipcCalls(page, 'list_charts')).at(-1).args.query;
    assert.deepEqual(query, { run_id: 2, compare_run_id: 1, members: { owner: '王磊', channel: 'store' } });
    await page.waitForFunction(() => {
      const svgs = window.__fake.calls.filter((c) => c.cmd === 'chart_svg');
      return svgs.at(-1)?.args.query.members.channel === 'store';
    });

    // The earlier run as the run: the comparison with itself is dropped.
    await page.getByTestId('chart-run').selectOption('1');
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'list_charts').at(-1).args.query.run_id === 1);
    query = (await ipcCalls(page, 'list_charts')).at(-1).args.query;
    assert.equal(query.compare_run_id, null);
    assert.equal(await page.getByTestId('chart-compare').inputValue(), '', 'no comparison shown');
    await drawn(page);
    assert.equal(await page.getByTestId('chart-card').count(), 13);
  });

  test('Save PNG and Save SVG write the chart to the path chosen', async () => {
    const page = await openCharts({ dialogSave: '/home/lin/Pictures/层级.png' });
    await drawn(page);
    await page.getByTestId('chart-scale').selectOption('3');
    const tiers = page.locator('[data-chart="tiers"]');
    await tiers.getByTestId('save-png').click();
    await page.locator('.toast').filter({ hasText: tr(en, 'charts.saved', { path: '/home/lin/Pictures/层级.png' }) }).waitFor();
    const png = (await ipcCalls(page, 'save_chart')).at(-1).args;
    assert.equal(png.chart, 'tiers');
    assert.equal(png.format, 'png');
    assert.equal(png.scale, 3);
    assert.equal(png.language, 'en');
    assert.equal(png.path, '/home/lin/Pictures/层级.png');
    assert.deepEqual(png.query, { run_id: 2, compare_run_id: null, members: { owner: null, channel: null } });
    const dialog = (await ipcCalls(page, 'plugin:dialog|save')).at(-1).args;
    assert.deepEqual(dialog.options.filters, [{ name: 'PNG', extensions: ['png'] }]);
    assert.match(dialog.options.defaultPath, /headtail-tiers-2025-06-01\.png$/);

    // Keyboard: the SVG button of the Pareto card, reached and pressed without the mouse.
    const svgButton = page.locator('[data-chart="pareto"]').getByTestId('save-svg');
    await page.locator('[data-chart="pareto"]').getByTestId('save-png').focus();
    await page.keyboard.press('Tab');
    assert.equal(await svgButton.evaluate((el) => el === document.activeElement), true, 'Tab reaches Save SVG');
    const outline = await svgButton.evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'save_chart').length === 2);
    const svg = (await ipcCalls(page, 'save_chart')).at(-1).args;
    assert.equal(svg.chart, 'pareto');
    assert.equal(svg.format, 'svg');
  });

  test('a cancelled save dialog saves nothing', async () => {
    const page = await openCharts();
    await drawn(page);
    await page.locator('[data-chart="tiers"]').getByTestId('save-svg').click();
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'plugin:dialog|save'));
    await page.waitForTimeout(100);
    assert.equal((await ipcCalls(page, 'save_chart')).length, 0);
  });

  test('Export report writes the folder chosen, with the comparison run', async () => {
    const page = await openCharts({ dialogOpen: '/home/lin/报告' }, { locale: 'zh-CN' });
    await drawn(page);
    await page.getByTestId('chart-compare').selectOption('1');
    await page.locator('[data-chart="tier_migration"]').waitFor();
    await page.getByTestId('export-report').click();
    await page.locator('.toast').filter({ hasText: '/home/lin/报告' }).waitFor();
    const exported = (await ipcCalls(page, 'export_chart_report')).at(-1).args;
    assert.equal(exported.dir, '/home/lin/报告');
    assert.equal(exported.query.compare_run_id, 1);
    const dialog = (await ipcCalls(page, 'plugin:dialog|open')).at(-1).args;
    assert.equal(dialog.options.directory, true);
  });

  test('a failed save says why', async () => {
    const page = await openCharts({ dialogSave: '/nowhere/tiers.svg', failures: { save_chart: [FAILURE] } });
    await drawn(page);
    await page.locator('[data-chart="tiers"]').getByTestId('save-svg').click();
    await page.locator('.toast').first().waitFor();
    assert.equal(await page.locator('[data-chart="tiers"]').getByTestId('save-svg').isDisabled(), false);
  });
});

describe('charts page states', () => {
  test('with no evaluation it asks for one and runs it', async () => {
    const page = await openCharts({ evaluation: { runs: 0, stageDelayMs: 20 } }, { locale: 'zh-CN' });
    await page.getByTestId('charts-empty').waitFor();
    assert.equal((await page.getByTestId('charts-empty').locator('h2').textContent()).trim(), zh.charts.empty_title);
    assert.equal(await page.getByTestId('export-report').count(), 0);
    await shoot(page, 'charts-empty-zh-CN');
    await page.getByTestId('charts-run-evaluation').click();
    await drawn(page);
    assert.equal(await page.getByTestId('charts-empty').count(), 0);
  });

  test('shows loading while the charts are drawn', async () => {
    const page = await openCharts({ delays: { chart_svg: 600 } });
    await page.getByTestId('chart-loading').first().waitFor();
    await drawn(page);
    assert.equal(await page.getByTestId('chart-loading').count(), 0);
  });

  test('a failed list offers a retry that loads the charts', async () => {
    const page = await openCharts({ failures: { list_charts: [FAILURE] } });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    await shoot(page, 'charts-error-en');
    await banner.getByRole('button', { name: en.common.retry }).click();
    await drawn(page);
  });

  test('a chart that fails to draw shows its error in its card', async () => {
    const page = await openCharts({ failures: { chart_svg: [FAILURE] } });
    await page.locator('[data-testid="chart-card"] [data-testid="error-banner"]').waitFor();
    assert.equal(await page.getByTestId('chart-image').count() >= 12, true);
  });

  test('the page is in the command palette', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, evaluation: true } });
    await page.keyboard.press('Control+k');
    await page.keyboard.type(en.nav.charts);
    await page.keyboard.press('Enter');
    await page.locator('#charts-title').waitFor();
  });
});
