// The demo database and the backups page in Chromium against the fake backend.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const rows = (page) => page.locator('[data-testid="customer-row"]');
const backupRows = (page) => page.getByTestId('backup-row');
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();

const BACKUPS = [
  { file_name: 'headtail-20250529-020000.sqlite', size_bytes: 1_250_000 },
  { file_name: 'headtail-20250531-020000.sqlite', size_bytes: 1_310_720 },
  { file_name: 'headtail-20250530-020000.sqlite', size_bytes: 980_000 },
];
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', region: '浙江杭州', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company', region: 'London', owner: 'Emma Clarke' },
];

describe('demo data', () => {
  test('first run offers the demo; the banner says so and leads back to the own data', async () => {
    const page = await open({ seed: { customers: [] } });
    await page.getByTestId('empty-state').waitFor();
    assert.equal(await page.getByTestId('demo-banner').count(), 0);
    const tryDemo = page.getByTestId('try-demo');
    assert.equal(plain(await tryDemo.textContent()), en.demo.try);
    await tryDemo.click();

    const banner = page.getByTestId('demo-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), new RegExp(en.demo.banner_title));
    assert.match(await banner.textContent(), new RegExp(en.demo.banner_body));
    await rows(page).first().waitFor();
    assert.equal(await rows(page).count(), 6);
    assert.equal(await page.getByTestId('customer-count').textContent(), '6 customers');
    assert.equal((await ipcCalls(page, 'open_demo')).length, 1);
    await page.getByTestId('toast').filter({ hasText: tr(en, 'demo.opened_new_other', { count: 6 }) }).waitFor();
    assert.equal(await page.evaluate(() => window.__fake.isDemo), true);

    // The demo customers have profiles and timelines like any others.
    await rows(page).filter({ hasText: '华东精密仪器有限公司' }).click();
    await page.getByTestId('timeline-entry').first().waitFor();
    assert.ok((await page.getByTestId('timeline-entry').count()) >= 4);
    await page.getByTestId('nav-customers').click();
    await rows(page).first().waitFor();

    // The banner stays on every page, also in Chinese.
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match(await banner.textContent(), new RegExp(zh.demo.banner_body));
    assert.equal(plain(await page.getByTestId('leave-demo').textContent()), zh.demo.leave);
    await page.getByTestId('nav-trash').click();
    await page.getByTestId('trash-empty').waitFor();
    assert.equal(await banner.count(), 1);
    await page.waitForTimeout(200);
    await assertNothingClipped(page);
    await shoot(page, 'demo-banner-zh-CN');

    await page.getByTestId('leave-demo').click();
    await banner.waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'close_demo')).length, 1);
    // Back on the own, empty list, which offers the demo again.
    await page.getByTestId('empty-state').waitFor();
    assert.equal(await page.locator('h1').textContent(), zh.customers.title);
    assert.equal(await page.getByTestId('try-demo').count(), 1);
    await page.getByTestId('toast').filter({ hasText: zh.demo.left }).waitFor();

    // Opening it again finds the demo as it was left.
    await page.getByTestId('try-demo').click();
    await banner.waitFor();
    await rows(page).first().waitFor();
    assert.equal(await rows(page).count(), 6);
    await page.getByTestId('toast').filter({ hasText: zh.demo.opened }).waitFor();
  });

  test('a database that already has customers does not offer the demo; a failure is a toast', async () => {
    let page = await open({ seed: { customers: CUSTOMERS } });
    await rows(page).first().waitFor();
    assert.equal(await page.getByTestId('try-demo').count(), 0);

    page = await open({ seed: { customers: [] } });
    await page.getByTestId('empty-state').waitFor();
    await page.evaluate(() =>
      window.__fake.failNext('open_demo', { code: 'io', message: 'disk full', details: { fields: [], params: {} } }),
    );
    await page.getByTestId('try-demo').click();
    await page.getByTestId('toast').filter({ hasText: en.error.io }).waitFor();
    assert.equal(await page.getByTestId('demo-banner').count(), 0);
    assert.equal(await page.getByTestId('try-demo').isDisabled(), false);
  });
});

describe('backups', () => {
  test('lists backups newest first with Intl dates and sizes, and the folder', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, backups: BACKUPS } });
    await rows(page).first().waitFor();
    await page.getByTestId('nav-backups').click();
    await backupRows(page).first().waitFor();
    assert.equal(await page.locator('h1').textContent(), en.backups.title);
    assert.equal(await page.getByTestId('nav-backups').getAttribute('aria-current'), 'page');
    assert.equal(await backupRows(page).count(), 3);
    assert.equal(await page.getByTestId('backup-count').textContent(), tr(en, 'backups.count_other', { count: 3 }));
    const taken = (await page.getByTestId('backup-taken').allTextContents()).map(plain);
    assert.deepEqual(taken, ['May 31, 2025, 2:00 AM', 'May 30, 2025, 2:00 AM', 'May 29, 2025, 2:00 AM']);
    assert.deepEqual((await page.getByTestId('backup-size').allTextContents()).map(plain), ['1.3 MB', '980 kB', '1.3 MB']);
    assert.equal(await page.getByTestId('backup-dir').textContent(), '/home/lin/.local/share/headtail/backups');
    assert.equal(await page.getByTestId('backups-demo-note').count(), 0);

    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(plain(await page.getByTestId('backup-taken').first().textContent()), '2025年5月31日 02:00');
    assert.equal(await page.getByTestId('backup-count').textContent(), '共 3 份备份');
  });

  test('Back up now adds a backup; Restore asks first, says the current state is kept, and restores', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, backups: BACKUPS } });
    await rows(page).first().waitFor();
    await page.getByTestId('nav-backups').click();
    await backupRows(page).first().waitFor();

    await page.getByTestId('backup-now').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="backup-row"]').length === 4);
    assert.equal((await ipcCalls(page, 'create_backup')).length, 1);
    const newest = await backupRows(page).first().textContent();
    assert.match(newest, /headtail-5eed0001-20250601-080\d00\.sqlite/);
    await page.getByTestId('toast').filter({ hasText: /headtail-5eed0001-20250601-080\d00\.sqlite/ }).waitFor();

    // A customer added after the backup, then the backup restored: it is gone again.
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('new-customer').click();
    await page.locator('#customer-name').fill('Later Ltd');
    await page.getByTestId('save-customer').click();
    await rows(page).filter({ hasText: 'Later Ltd' }).waitFor();
    await page.getByTestId('nav-backups').click();
    await backupRows(page).first().waitFor();

    // Cancel does nothing.
    await backupRows(page).first().getByTestId('restore-backup').click();
    const dialog = page.getByTestId('restore-dialog');
    await dialog.waitFor();
    const date = plain(await backupRows(page).first().getByTestId('backup-taken').textContent());
    assert.equal(plain(await page.getByTestId('restore-dialog-text').textContent()), plain(tr(en, 'backups.confirm_body', { date })));
    assert.match(await dialog.textContent(), new RegExp(en.backups.confirm_safety));
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), en.form.cancel);
    await page.getByTestId('restore-dialog-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'restore_backup')).length, 0);

    await backupRows(page).first().getByTestId('restore-backup').click();
    await page.getByTestId('confirm-restore').click();
    await dialog.waitFor({ state: 'detached' });
    const restoreCall = (await ipcCalls(page, 'restore_backup')).at(-1).args;
    assert.match(restoreCall.fileName, /^headtail-5eed0001-20250601-080\d00\.sqlite$/);
    await page.getByTestId('toast').filter({ hasText: /The previous state was saved as headtail-/ }).waitFor();
    // The safety backup is listed too.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="backup-row"]').length === 5);
    await page.getByTestId('nav-customers').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-count"]')?.textContent === '2 customers');
    assert.equal(await rows(page).filter({ hasText: 'Later Ltd' }).count(), 0);
  });

  test('in the demo, backups can be seen but not made or restored', async () => {
    const page = await open({ seed: { customers: [], backups: BACKUPS } });
    await page.getByTestId('try-demo').click();
    await page.getByTestId('demo-banner').waitFor();
    await page.getByTestId('nav-backups').click();
    await backupRows(page).first().waitFor();
    const note = page.getByTestId('backups-demo-note');
    assert.equal(plain(await note.textContent()), en.backups.demo_note);
    assert.equal(await page.getByTestId('backup-now').isDisabled(), true);
    assert.equal(await page.getByTestId('backup-now').getAttribute('aria-describedby'), 'backups-demo-note');
    for (const button of await page.getByTestId('restore-backup').all()) assert.equal(await button.isDisabled(), true);
    await page.waitForTimeout(150);
    await assertNothingClipped(page);
    await shoot(page, 'backups-demo-en');

    await page.getByTestId('leave-demo').click();
    await page.getByTestId('demo-banner').waitFor({ state: 'detached' });
    await page.getByTestId('nav-backups').click();
    await backupRows(page).first().waitFor();
    assert.equal(await page.getByTestId('backup-now').isDisabled(), false);
    assert.equal(await page.getByTestId('backups-demo-note').count(), 0);
  });

  test('no backups yet, and a failed restore, are explained', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, backups: [] } });
    await page.getByTestId('nav-backups').click();
    await page.getByTestId('backups-empty').waitFor();
    assert.equal(await page.getByTestId('backups-empty').locator('h2').textContent(), en.backups.empty_title);
    await page.getByTestId('backup-now').click();
    await backupRows(page).first().waitFor();
    await page.evaluate(() =>
      window.__fake.failNext('restore_backup', {
        code: 'database_corrupt',
        message: 'the database file is damaged',
        details: { fields: [], params: { path: '/backups/x.sqlite', reason: 'malformed' } },
      }),
    );
    await page.getByTestId('restore-backup').click();
    await page.getByTestId('confirm-restore').click();
    await page
      .getByTestId('toast')
      .filter({ hasText: tr(en, 'error.database_corrupt', { path: '/backups/x.sqlite' }) })
      .waitFor();
    // A backup taken out of the folder after the list was read.
    await page.evaluate(() =>
      window.__fake.failNext('restore_backup', {
        code: 'not_found',
        message: 'file headtail-20250531-020000.sqlite was not found',
        details: { fields: [], params: { entity: 'file', name: 'headtail-20250531-020000.sqlite' } },
      }),
    );
    await page.getByTestId('restore-backup').click();
    await page.getByTestId('confirm-restore').click();
    await page.getByTestId('toast').filter({ hasText: en.error.not_found_file }).waitFor();
  });
});

describe('backups screenshots', () => {
  for (const lang of ['en', 'zh-CN']) {
    test(`backups page in ${lang}`, async () => {
      const page = await open({ seed: { customers: CUSTOMERS, backups: BACKUPS, language: lang } });
      await rows(page).first().waitFor();
      await page.getByTestId('nav-backups').click();
      await backupRows(page).first().waitFor();
      await assertNothingClipped(page);
      await shoot(page, `backups-${lang}`);
      await backupRows(page).nth(1).getByTestId('restore-backup').click();
      await page.getByTestId('restore-dialog').waitFor();
      await page.waitForTimeout(150);
      await shoot(page, `backups-restore-${lang}`);
    });
  }

  test('first run with the demo offer', async () => {
    const page = await open({ seed: { customers: [], language: 'zh-CN' } });
    await page.getByTestId('empty-state').waitFor();
    await assertNothingClipped(page);
    await shoot(page, 'empty-demo-zh-CN');
  });
});
