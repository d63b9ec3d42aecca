// The customer list sorts Chinese names, companies and owners in pinyin order (陈 李 刘 王 张),
// with Latin names among them, in Chromium against the fake backend, which sorts by the same
// keys as the real one. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipcCalls, shoot, useApp, waitForNames } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

// In id order, which is also character-code order for the Chinese ones: 刘 张 李 王 陈.
const CUSTOMERS = [
  { id: 1, name: '刘洋', kind: 'person', company: '刘氏茶行', owner: '王经理' },
  { id: 2, name: '张伟', kind: 'person', company: '张记五金', owner: '曾经理' },
  { id: 3, name: '李娜', kind: 'person', company: '李宁专卖', owner: '陈经理' },
  { id: 4, name: '王芳', kind: 'person', company: null, owner: null },
  { id: 5, name: '陈静', kind: 'person', company: '陈皮铺子', owner: 'Alice' },
  { id: 6, name: 'Bob Smith', kind: 'person', company: 'Acme Ltd', owner: '刘经理' },
  { id: 7, name: '曾国藩', kind: 'person', company: '曾经茶馆', owner: '张经理' },
];

const names = (page) => page.locator('[data-testid="customer-row"] [data-testid="customer-name"]').allTextContents();

describe('pinyin order', () => {
  for (const locale of ['zh-CN', 'en-US']) {
    test(`names sort by pinyin, surnames by their surname reading (${locale})`, async () => {
      const page = await open({ seed: { customers: CUSTOMERS }, locale });
      await page.locator('[data-testid="customer-row"]').first().waitFor();
      // Bob (b) among chen, li, liu, wang; 曾 as a surname is zeng, before zhang.
      const ascending = ['Bob Smith', '陈静', '李娜', '刘洋', '王芳', '曾国藩', '张伟'];
      assert.deepEqual(await names(page), ascending);
      await shoot(page, `pinyin-order-names-${locale}`);

      await page.getByTestId('sort-name').click();
      await waitForNames(page, [...ascending].reverse());
      const q = (await ipcCalls(page, 'list_customers')).at(-1).args.query;
      assert.equal(q.sort, 'name');
      assert.equal(q.descending, true);
    });
  }

  test('companies and owners sort by pinyin too, empty ones last', async () => {
    const page = await open({ seed: { customers: CUSTOMERS }, locale: 'zh-CN' });
    await page.locator('[data-testid="customer-row"]').first().waitFor();

    await page.getByTestId('sort-company').click();
    // Acme, 曾经 (ceng: not a surname in a company name), 陈皮, 李宁, 刘氏, 张记, then none.
    await waitForNames(page, ['Bob Smith', '曾国藩', '陈静', '李娜', '刘洋', '张伟', '王芳']);

    await page.getByTestId('sort-owner').click();
    // Alice, 陈, 刘, 王, 曾 (zeng as a surname), 张, then none.
    await waitForNames(page, ['陈静', '李娜', 'Bob Smith', '刘洋', '张伟', '曾国藩', '王芳']);
    await shoot(page, 'pinyin-order-owners');
  });
});
