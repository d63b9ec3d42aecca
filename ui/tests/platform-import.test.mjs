// Platform order exports in Chromium against the fake backend: the import wizard says which
// platform's export it recognised, and the timeline shows orders that do not count.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();
const CUSTOMERS = [
  { id: 1, name: '王芳', kind: 'person', region: '广东深圳', owner: '王磊' },
  { id: 2, name: '杭州云帆科技有限公司', kind: 'company', region: '浙江杭州', owner: '王磊' },
];

async function previewFile(page, path, kind = 'orders') {
  await page.getByTestId('customer-row').first().waitFor();
  await page.getByTestId('nav-import').click();
  await page.locator('#import-path').waitFor();
  await page.locator('#import-kind').selectOption(kind);
  await page.locator('#import-path').fill(path);
  await page.getByTestId('import-preview').click();
  await page.getByTestId('import-preview-panel').waitFor();
}

describe('platform order exports', () => {
  test('a Taobao export is recognised and mapped with no manual step, in English and Chinese', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await previewFile(page, '/home/lin/Downloads/taobao-订单报表.csv');
    const notice = page.getByTestId('import-platform');
    assert.equal(plain(await notice.textContent()), tr(en, 'platform.recognised', { platform: en.platform.name.taobao }));
    assert.match(await notice.textContent(), /Taobao\/Tmall order export recognised/);
    assert.equal(await page.getByTestId('map-phone').inputValue(), '联系手机', 'the mobile, not the landline');
    assert.equal(await page.getByTestId('map-amount').inputValue(), '买家实际支付金额', 'the amount paid, not 总金额');
    assert.equal(await page.getByTestId('map-date').inputValue(), '订单创建时间', 'the creation time, not the payment');
    assert.equal(await page.getByTestId('map-external_id').inputValue(), '买家会员名');
    assert.equal(await page.getByTestId('map-status').inputValue(), '订单状态');
    assert.equal(await page.getByTestId('import-missing').count(), 0);
    // The sample shows the cells as read: the apostrophe and the ="…" wrapping are gone.
    const first = await page.getByTestId('import-sample-row').first().textContent();
    assert.match(first, /13811112222/);
    assert.doesNotMatch(first, /'1381|="/);
    await assertNothingClipped(page);
    await shoot(page, 'platform-import-taobao-en');

    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(plain(await notice.textContent()), tr(zh, 'platform.recognised', { platform: zh.platform.name.taobao }));
    assert.match(await notice.textContent(), /淘宝\/天猫/);
    await assertNothingClipped(page);
    await shoot(page, 'platform-import-taobao-zh-CN');
  });

  test('an order file of no platform, and the same export read as customers, say nothing of a platform', async () => {
    const page = await open({ seed: { customers: CUSTOMERS } });
    await previewFile(page, '/home/lin/Downloads/orders.csv');
    assert.equal(await page.getByTestId('import-platform').count(), 0);
    await page.locator('#import-kind').selectOption('customers');
    await page.locator('#import-path').fill('/home/lin/Downloads/taobao-订单报表.csv');
    await page.getByTestId('import-preview').click();
    await page.getByTestId('import-header').first().waitFor();
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'preview_import').length >= 2);
    assert.equal(await page.getByTestId('import-platform').count(), 0);
  });

  test('a cancelled or refunded order shows on the timeline as not counted', async () => {
    const orders = [
      { customer_id: 1, ordered_on: '2026-03-01', amount_minor: 23_800, channel: 'marketplace', external_id: '3698521470123456789' },
      { customer_id: 1, ordered_on: '2026-03-05', amount_minor: 12_900, channel: 'marketplace', external_id: '3698521470123456791', status: 'cancelled' },
      { customer_id: 1, ordered_on: '2026-03-09', amount_minor: 9_900, channel: 'marketplace', status: 'refunded' },
    ];
    const page = await open({ seed: { customers: CUSTOMERS, orders } });
    await page.locator('[data-testid="customer-row"]').filter({ hasText: '王芳' }).click();
    await page.getByTestId('profile-name').filter({ hasText: '王芳' }).waitFor();
    const titles = page.locator('[data-testid="timeline-entry"][data-kind="order"] [data-testid="timeline-title"]');
    await titles.first().waitFor();
    const texts = (await titles.allTextContents()).map(plain);
    const yuan = (minor) => plain(new Intl.NumberFormat('en', { style: 'currency', currency: 'CNY' }).format(minor / 100));
    assert.deepEqual(texts, [
      plain(tr(en, 'platform.order_not_counted', { amount: yuan(9_900), status: en.platform.order_status.refunded })),
      plain(tr(en, 'platform.order_not_counted', { amount: yuan(12_900), status: en.platform.order_status.cancelled })),
      plain(tr(en, 'timeline.order', { amount: yuan(23_800) })),
    ]);
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.match((await titles.allTextContents())[1], /已取消：不计入/);
  });
});
