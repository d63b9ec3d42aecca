// End to end on the real binary: a UTF-8 CSV (with BOM) with Chinese headers, previewed,
// imported through the wizard and found in the customer list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Harness, root } from './webdriver.mjs';

const en = JSON.parse(readFileSync(path.join(root, 'ui', 'src', 'locales', 'en.json'), 'utf8'));

let harness;
let dir;
before(async () => {
  harness = await Harness.start();
  dir = mkdtempSync(path.join(tmpdir(), 'headtail-import-'));
});
after(() => {
  harness?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a CSV with Chinese headers is previewed, imported and its customers listed', async () => {
  const file = path.join(dir, '客户名单.csv');
  const csv = [
    '客户编号,客户名称,手机号码,电子邮箱',
    'C-2001,王芳,138 0013 8001,wang.fang@example.cn',
    'C-2002,深圳市华强电子有限公司,0755-8888 6666,info@huaqiang.cn',
    'C-2003,李娜,139 1234 5678,lina@example.cn',
  ].join('\r\n');
  writeFileSync(file, '\uFEFF' + csv + '\r\n', 'utf8');

  const app = await harness.session();
  try {
    await app.click('[data-testid="nav-import"]');
    await app.until(async () => (await app.text('h1')) === en.import.title, 'the Import page');
    await app.type('#import-path', file);
    await app.click('[data-testid="import-preview"]');
    await app.until(async () => (await app.findAll('[data-testid="import-sample-row"]')).length === 3, 'three preview rows');
    const headers = await app.texts('[data-testid="import-header"]');
    assert.deepEqual(headers, ['客户编号', '客户名称', '手机号码', '电子邮箱']);
    const mapped = await app.script('return document.querySelector("#import-map-name").value');
    assert.equal(mapped, '客户名称');
    assert.match(await app.text('[data-testid="import-encoding"]'), /utf-?8/i);
    await app.screenshot('import-wizard');

    await app.click('[data-testid="import-run"]');
    await app.until(async () => (await app.findAll('[data-testid="import-report"]')).length === 1, 'the report');
    await app.until(async () => (await app.text('[data-testid="import-status"]')) === en.import.status.imported, 'imported');
    assert.equal(await app.text('[data-testid="import-count-created"]'), '3');
    assert.equal(await app.text('[data-testid="import-count-bad"]'), '0');
    await app.until(async () => (await app.findAll('[data-testid="import-batch"]')).length === 1, 'the batch in the history');
    await app.screenshot('import-done');

    await app.click('[data-testid="import-open-customers"]');
    await app.until(async () => {
      const names = await app.texts('[data-testid="customer-row"] [data-testid="customer-name"]');
      return names.includes('王芳') && names.includes('深圳市华强电子有限公司');
    }, '王芳 in the customer list');
  } finally {
    await app.close();
  }
});
