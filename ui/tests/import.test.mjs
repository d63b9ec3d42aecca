// The import wizard, the import history and the exports in Chromium against the fake backend.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, backend, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', region: '浙江杭州', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company', region: 'London', owner: 'Emma Clarke' },
  { id: 3, name: '张伟', kind: 'person', region: '广东深圳', owner: '王磊' },
];
const BATCHES = [
  { id: 1, kind: 'customers', source_name: '老客户名单.csv', started_at: '2025-05-20T06:30:00.000Z', rows_read: 120, created: 118, updated: 0, skipped: 2 },
  { id: 2, kind: 'orders', source_name: 'orders-2024.xlsx', started_at: '2025-05-28T02:10:00.000Z', rows_read: 40, created: 40, updated: 0, skipped: 0, reverted_at: '2025-05-29T01:00:00.000Z' },
];

async function openImport(seed = {}, path = '/home/lin/Downloads/客户名单.csv') {
  const page = await open({ seed: { customers: CUSTOMERS, importBatches: BATCHES, ...seed } });
  await page.getByTestId('customer-row').first().waitFor();
  await page.getByTestId('nav-import').click();
  await page.locator('#import-path').waitFor();
  if (path) await page.locator('#import-path').fill(path);
  return page;
}

async function preview(page) {
  await page.getByTestId('import-preview').click();
  await page.getByTestId('import-preview-panel').waitFor();
}

describe('import wizard', () => {
  test('preview shows the encoding, the first rows and the mapping; a changed mapping is sent', async () => {
    const page = await openImport();
    assert.equal(await page.locator('h1').textContent(), en.import.title);
    assert.equal(await page.getByTestId('nav-import').getAttribute('aria-current'), 'page');
    await preview(page);

    const call = (await ipcCalls(page, 'preview_import')).at(-1).args;
    assert.equal(call.path, '/home/lin/Downloads/客户名单.csv');
    assert.equal(call.options.kind, 'customers');
    assert.deepEqual(call.options.mapping, {});

    assert.equal(await page.getByTestId('import-encoding').textContent(), 'gb18030');
    assert.equal(await page.getByTestId('import-delimiter').textContent(), ',');
    assert.deepEqual(await page.getByTestId('import-header').allTextContents(), ['客户编号', '客户名称', '手机号码', '电子邮箱', '地区', '签约日期']);
    assert.equal(await page.getByTestId('import-sample-row').count(), 3);
    assert.match(await page.getByTestId('import-sample-row').first().textContent(), /王芳/);
    assert.equal(await page.getByTestId('map-name').inputValue(), '客户名称');
    assert.equal(await page.getByTestId('map-email').inputValue(), '电子邮箱');
    assert.equal(await page.getByTestId('map-owner').inputValue(), '');
    assert.equal(await page.getByTestId('import-missing').count(), 0);

    // Mapping a field: the next preview and the import carry it.
    await page.getByTestId('map-notes').selectOption('签约日期');
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'preview_import').length === 2);
    assert.equal((await ipcCalls(page, 'preview_import')).at(-1).args.options.mapping.notes, '签约日期');

    // Unmapping the name: the backend says it is missing, and the field is highlighted.
    await page.getByTestId('map-name').selectOption('');
    await page.getByTestId('import-missing').waitFor();
    assert.equal((await ipcCalls(page, 'preview_import')).at(-1).args.options.mapping.name, '');
    assert.equal(await page.getByTestId('map-name').getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByTestId('import-missing').textContent(), new RegExp(en.import.field.name));

    await page.getByTestId('import-run').click();
    await page.getByTestId('import-report').waitFor();
    const run = (await ipcCalls(page, 'run_import')).at(-1).args;
    assert.equal(run.options.mapping.notes, '签约日期');
    assert.equal(run.options.mapping.name, '');
    assert.equal(run.options.dry_run, false);
    assert.match(run.onProgress, /^__CHANNEL__:\d+$/);
    assert.equal(await page.getByTestId('import-status').textContent(), en.import.status.needs_mapping);
  });

  test('an activity file names its customer by any of four columns; with none, all four are asked for', async () => {
    const page = await openImport({}, '/home/lin/Downloads/跟进记录.csv');
    await page.locator('#import-kind').selectOption('interactions');
    await preview(page);
    assert.equal((await ipcCalls(page, 'preview_import')).at(-1).args.options.kind, 'interactions');
    // Found by phone and name: only the interaction's own fields are missing.
    assert.equal(await page.getByTestId('map-phone').inputValue(), '手机号码');
    const note = page.getByTestId('import-missing');
    assert.equal(
      plain(await note.textContent()),
      tr(en, 'import.missing', { fields: [en.import.field.interaction_type, en.import.field.date].join(en.import.list_separator) }),
    );
    for (const key of backend.import_customer_keys) {
      assert.equal(await page.getByTestId(`map-${key}`).getAttribute('aria-invalid'), null, `${key} is not asked for`);
    }

    await page.getByTestId('map-phone').selectOption('');
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'preview_import').length === 2);
    await page.getByTestId('map-name').selectOption('');
    await page.waitForFunction(() => document.querySelectorAll('[aria-invalid="true"]').length === 6);
    const keys = backend.import_customer_keys.map((f) => en.import.field[f]).join(en.import_customer.or);
    const expected = [en.import.field.interaction_type, en.import.field.date, tr(en, 'import_customer.any_of', { fields: keys })];
    assert.equal(plain(await note.textContent()), plain(tr(en, 'import.missing', { fields: expected.join(en.import.list_separator) })));
    for (const key of backend.import_customer_keys) {
      assert.equal(await page.getByTestId(`map-${key}`).getAttribute('aria-invalid'), 'true', `${key} would do`);
    }
    await note.scrollIntoViewIfNeeded();
    await shoot(page, 'import-customer-column-en');

    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const zhKeys = backend.import_customer_keys.map((f) => zh.import.field[f]).join(zh.import_customer.or);
    assert.match(await note.textContent(), new RegExp(`任一识别客户的列（${zhKeys}）`));
    await shoot(page, 'import-customer-column-zh-CN');

    // One phone column is enough.
    await page.getByTestId('map-phone').selectOption('手机号码');
    await page.waitForFunction(() => document.querySelectorAll('[aria-invalid="true"]').length === 2);
    assert.doesNotMatch(await note.textContent(), /任一识别客户的列/);
    assert.equal((await ipcCalls(page, 'preview_import')).at(-1).args.options.mapping.phone, '手机号码');
  });

  test('a rejected import lists the bad rows with translated reasons, in Chinese and English', async () => {
    const page = await openImport({}, '/home/lin/Downloads/bad-客户.csv');
    await preview(page);
    await page.locator('#import-mode').selectOption('update');
    await page.getByTestId('import-run').click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    const run = (await ipcCalls(page, 'run_import')).at(-1).args;
    assert.equal(run.options.mode, 'update');
    assert.equal(run.options.skip_bad_rows, false);
    assert.equal(run.options.day_first, null);

    assert.equal(await page.getByTestId('import-status').textContent(), en.import.status.rejected);
    assert.equal(await page.getByTestId('import-count-bad').textContent(), '2');
    const errorRows = page.getByTestId('import-error-row');
    assert.equal(await errorRows.count(), 2);
    assert.deepEqual(await page.getByTestId('error-row').allTextContents(), ['3', '4']);
    assert.deepEqual(await page.getByTestId('error-field').allTextContents(), [en.import.field.email, en.import.field.external_id]);
    assert.deepEqual(await page.getByTestId('error-reason').allTextContents(), [
      en.import.reason.invalid_email,
      tr(en, 'import.reason.duplicate_in_file', { row: 2 }),
    ]);
    await report.scrollIntoViewIfNeeded();
    await page.waitForTimeout(150);
    await assertNothingClipped(page);
    await shoot(page, 'import-report-en');

    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await page.getByTestId('import-status').textContent(), zh.import.status.rejected);
    assert.deepEqual(await page.getByTestId('error-field').allTextContents(), ['邮箱', '客户编号']);
    assert.deepEqual(await page.getByTestId('error-reason').allTextContents(), [
      zh.import.reason.invalid_email,
      '与本文件第 2 行重复。',
    ]);
    await report.scrollIntoViewIfNeeded();
    await page.waitForTimeout(150);
    await assertNothingClipped(page);
    await shoot(page, 'import-report-zh-CN');

    // Leaving the bad rows out imports the rest.
    await page.getByTestId('import-skip-bad').check();
    await page.getByTestId('import-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="import-status"]')?.textContent === '导入完成');
    assert.equal((await ipcCalls(page, 'run_import')).at(-1).args.options.skip_bad_rows, true);
    assert.equal(await page.getByTestId('import-count-created').textContent(), '1');
  });

  test('possible duplicates are listed as warnings naming the existing customer, in Chinese and English', async () => {
    const page = await openImport({}, '/home/lin/Downloads/dupes-客户.csv');
    await preview(page);
    await page.getByTestId('import-run').click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    assert.equal(await page.getByTestId('import-status').textContent(), en.import.status.imported);
    assert.equal(await page.getByTestId('import-error-row').count(), 0);
    assert.equal(plain(await page.getByTestId('import-warnings').textContent()), plain(tr(en, 'import.warnings_other', { count: '1,200' })));
    assert.equal(await page.getByTestId('import-warning-row').count(), 2);
    assert.deepEqual(await page.getByTestId('warning-row').allTextContents(), ['2', '4']);
    assert.deepEqual(await page.getByTestId('warning-field').allTextContents(), [en.import.field.phone, en.import.field.email]);
    assert.deepEqual(await page.getByTestId('warning-reason').allTextContents(), [
      'May be the same as 张伟 (customer #3).',
      'May be the same as 杭州云帆科技有限公司 (customer #1).',
    ]);
    assert.equal(
      plain(await page.getByTestId('import-warnings-more').textContent()),
      plain(tr(en, 'import.warnings_more', { listed: 2, count: '1,200' })),
    );
    await report.scrollIntoViewIfNeeded();
    await page.waitForTimeout(150);
    await assertNothingClipped(page);

    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.deepEqual(await page.getByTestId('warning-field').allTextContents(), ['电话', '邮箱']);
    assert.deepEqual(await page.getByTestId('warning-reason').allTextContents(), [
      '可能与 张伟（客户 #3）重复。',
      '可能与 杭州云帆科技有限公司（客户 #1）重复。',
    ]);
    await report.scrollIntoViewIfNeeded();
    await page.waitForTimeout(150);
    await assertNothingClipped(page);
    await shoot(page, 'import-warnings-zh-CN');
  });

  test('needs_decision shows the dates; Day first runs again with day_first true', async () => {
    const page = await openImport({}, '/home/lin/Downloads/dates.csv');
    await preview(page);
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-decision').waitFor();
    assert.equal(await page.getByTestId('import-status').textContent(), en.import.status.needs_decision);
    const examples = (await page.getByTestId('date-example').allTextContents()).map(plain);
    assert.deepEqual(examples, ['Row 2 Date 05/01/2025', 'Row 4 Date 07/02/2025']);
    assert.equal((await ipcCalls(page, 'run_import')).at(-1).args.options.dry_run, true);

    await page.getByTestId('day-first').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="import-status"]')?.textContent !== 'Choose the date order');
    const again = (await ipcCalls(page, 'run_import')).at(-1).args.options;
    assert.equal(again.day_first, true);
    assert.equal(again.dry_run, true, 'the decision re-runs the same kind of run');
    assert.equal(await page.getByTestId('import-status').textContent(), en.import.status.dry_run);
    assert.equal((await page.evaluate(() => window.__fake.importBatches)).length, 2, 'a dry run writes nothing');
  });

  test('an import shows progress, then a toast, the report, the new batch and a link to the list', async () => {
    const page = await openImport({ importDelayMs: 600 });
    await preview(page);
    await page.getByTestId('import-run').click();
    const progress = page.getByTestId('import-progress');
    await progress.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="import-progress"] progress')?.value === 33);
    assert.equal(plain(await progress.textContent()), tr(en, 'import.progress', { rows: 1, percent: 33 }));
    await page.getByTestId('import-report').waitFor();
    await progress.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('import-status').textContent(), en.import.status.imported);
    assert.equal(await page.getByTestId('import-count-created').textContent(), '3');
    await page.getByTestId('toast').filter({ hasText: tr(en, 'import.done_other', { count: 3, updated: 0 }) }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="import-batch"]').length === 3);
    assert.match(await page.getByTestId('import-batch').first().textContent(), /客户名单\.csv/);

    await page.getByTestId('import-open-customers').click();
    await page.getByTestId('customer-row').filter({ hasText: '王芳' }).waitFor();
    assert.equal(await page.getByTestId('customer-count').textContent(), '6 customers');
  });

  test('Revert asks first and calls revertImport; a reverted batch cannot be reverted again', async () => {
    const page = await openImport({}, '');
    await page.getByTestId('import-batch').first().waitFor();
    assert.equal(await page.getByTestId('import-batch').count(), 2);
    assert.equal(await page.getByTestId('revert-import').count(), 1, 'the reverted batch has no button');
    assert.equal(await page.getByTestId('batch-reverted').textContent(), en.import.reverted_badge);
    assert.equal(
      plain(await page.getByTestId('batch-counts').nth(1).textContent()),
      tr(en, 'import.batch_counts', { created: 118, updated: 0, skipped: 2 }),
    );

    await page.getByTestId('revert-import').click();
    const dialog = page.getByTestId('revert-dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /老客户名单\.csv/);
    await page.getByTestId('revert-dialog-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'revert_import')).length, 0);

    await page.getByTestId('revert-import').click();
    await page.getByTestId('confirm-revert').click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual((await ipcCalls(page, 'revert_import')).at(-1).args, { batchId: 1 });
    await page.getByTestId('toast').filter({ hasText: /Import reverted/ }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="batch-reverted"]').length === 2);
    assert.equal(await page.getByTestId('revert-import').count(), 0);
  });

  test('Choose file fills the path from the dialog; a missing file is an error banner', async () => {
    const page = await openImport({ dialogOpen: '/home/lin/Desktop/missing.xlsx' }, '');
    assert.equal(await page.getByTestId('import-preview').isDisabled(), true);
    await page.getByTestId('import-choose').click();
    await page.waitForFunction(() => document.querySelector('#import-path').value === '/home/lin/Desktop/missing.xlsx');
    const dialogCall = (await ipcCalls(page, 'plugin:dialog|open')).at(-1).args.options;
    assert.deepEqual(dialogCall.filters[0].extensions, ['csv', 'xlsx', 'xls']);
    await page.getByTestId('import-preview').click();
    await page.getByTestId('error-banner').waitFor();
    assert.equal(await page.getByTestId('error-banner').getAttribute('data-code'), 'not_found');
    assert.equal(await page.locator('[data-testid="error-banner"] .banner-message').textContent(), en.error.not_found_file);
  });

  test('a file that fails to read clears the rows, mapping and report of the file before', async () => {
    const page = await openImport();
    await preview(page);
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-status').waitFor();
    await page.locator('#import-path').fill('/home/lin/Desktop/missing.xlsx');
    await page.getByTestId('import-preview').click();
    await page.getByTestId('error-banner').waitFor();
    assert.equal(await page.getByTestId('import-preview-panel').count(), 0, 'no rows of the previous file');
    assert.equal(await page.getByTestId('import-sample-row').count(), 0);
    assert.equal(await page.getByTestId('import-status').count(), 0, 'no report of the previous file');
  });
});

describe('export', () => {
  test('the customer export sends the current query and format and shows the path', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await page.getByTestId('customer-row').first().waitFor();
    await page.getByTestId('filter-company').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '2 customers');
    await page.getByTestId('export-customers').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    await page.waitForFunction(() => /^\/home\/lin\/Downloads\/headtail-customers-\d{4}-\d\d-\d\d\.csv$/.test(document.querySelector('#export-path').value));
    await page.locator('#export-format').selectOption('xlsx');
    assert.match(await page.locator('#export-path').inputValue(), /headtail-customers-\d{4}-\d\d-\d\d\.xlsx$/);
    await page.locator('#export-path').fill('/home/lin/Documents/公司客户.xlsx');
    await page.getByTestId('confirm-export').click();
    await dialog.waitFor({ state: 'detached' });

    const call = (await ipcCalls(page, 'export_customers')).at(-1).args;
    assert.equal(call.format, 'xlsx');
    assert.equal(call.language, 'en');
    assert.equal(call.path, '/home/lin/Documents/公司客户.xlsx');
    assert.equal(call.selection.query.kind, 'company');
    assert.equal(call.selection.query.deleted, false);
    assert.equal(call.selection.query.offset, 0);
    assert.equal(call.selection.query.limit, 0);
    await page
      .getByTestId('toast')
      .filter({ hasText: tr(en, 'export.done_other', { count: 2, path: '/home/lin/Documents/公司客户.xlsx' }) })
      .waitFor();
  });

  test('the customer export from the app in Chinese asks for Chinese headers and names', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await page.getByTestId('customer-row').first().waitFor();
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.getByTestId('export-customers').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    await page.locator('#export-path').fill('/home/lin/Documents/客户.csv');
    await page.getByTestId('confirm-export').click();
    await dialog.waitFor({ state: 'detached' });
    const call = (await ipcCalls(page, 'export_customers')).at(-1).args;
    assert.equal(call.language, 'zh-CN');
    assert.equal(call.format, 'csv');
    assert.equal(call.path, '/home/lin/Documents/客户.csv');
  });

  test('Choose… uses the save dialog; the whole database goes to a folder from the Backups page', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, dialogSave: '/tmp/客户.csv', language: 'zh-CN' } });
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    await page.getByTestId('customer-row').first().waitFor();
    await page.getByTestId('export-customers').click();
    await page.getByTestId('export-dialog').waitFor();
    await page.getByTestId('export-choose').click();
    await page.waitForFunction(() => document.querySelector('#export-path').value === '/tmp/客户.csv');
    await page.getByTestId('confirm-export').click();
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
    const call = (await ipcCalls(page, 'export_customers')).at(-1).args;
    assert.equal(call.language, 'zh-CN');
    assert.equal(call.format, 'csv');
    await page.getByTestId('toast').filter({ hasText: '已导出 3 位客户到 /tmp/客户.csv' }).waitFor();

    await page.getByTestId('nav-backups').click();
    await page.getByTestId('export-database').click();
    await page.getByTestId('export-database-dialog').waitFor();
    await page.waitForFunction(() => /^\/home\/lin\/Downloads\/headtail-export-/.test(document.querySelector('#export-dir').value));
    await page.locator('#export-dir').fill('/home/lin/导出');
    await page.getByTestId('confirm-export-database').click();
    await page.getByTestId('export-database-dialog').waitFor({ state: 'detached' });
    assert.deepEqual((await ipcCalls(page, 'export_database')).at(-1).args, { dir: '/home/lin/导出' });
    await page.getByTestId('toast').filter({ hasText: `已导出 ${backend.export_tables.length} 张表到 /home/lin/导出` }).waitFor();
  });
});
