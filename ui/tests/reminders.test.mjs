// A click on a follow-up's desktop notification: the Rust side emits `open-customer` with the
// customer id, and the window opens that customer's profile from wherever it is.
// In Chromium against the fake backend, which delivers the event. Needs `npm run build` first.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const CUSTOMERS = [
  { id: 1, name: '张伟', kind: 'person', company: '深圳市华强电子有限公司', owner: '陈经理' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company' },
];

async function listening(page) {
  await page.waitForFunction(() => window.__fake.listening('open-customer') === 1);
}

test('the event opens the customer from the list, and back leads to the list', async () => {
  const page = await open({ seed: { customers: CUSTOMERS, language: 'zh-CN' } });
  await listening(page);
  await page.evaluate(() => window.__fake.emit('open-customer', 1));
  await page.getByTestId('profile-name').waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), '张伟');
  assert.deepEqual(
    (await ipcCalls(page, 'get_customer')).map((c) => c.args),
    [{ id: 1 }],
    'the profile loads the customer the notification named',
  );
  await shoot(page, 'reminder-opened-zh-CN');

  // A second notification replaces the open profile.
  await page.evaluate(() => window.__fake.emit('open-customer', 2));
  await page.getByText('Acme Trading Ltd', { exact: true }).first().waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), 'Acme Trading Ltd');

  await page.getByTestId('back-to-list').click();
  await page.getByTestId('customer-row').first().waitFor();
  assert.equal(await page.getByTestId('profile-name').count(), 0);
});

test('from another view the profile opens, and back returns to that view', async () => {
  const page = await open({ seed: { customers: CUSTOMERS, language: 'zh-CN' } });
  await listening(page);
  await page.getByTestId('nav-trash').click();
  await page.locator('#trash-title').waitFor();
  await page.evaluate(() => window.__fake.emit('open-customer', 1));
  await page.getByTestId('profile-name').waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), '张伟');
  await page.getByTestId('back-to-list').click();
  await page.locator('#trash-title').waitFor();
  assert.equal(await page.locator('#trash-title').textContent(), tr(zh, 'trash.title'));
});

test('an unknown customer shows the profile error instead of failing silently', async () => {
  const page = await open({ seed: { customers: CUSTOMERS } });
  await listening(page);
  await page.evaluate(() => window.__fake.emit('open-customer', 99));
  await page.getByTestId('error-banner').waitFor();
  assert.equal(await page.getByTestId('error-banner').getAttribute('data-code'), 'not_found');
  assert.deepEqual((await ipcCalls(page, 'get_customer')).map((c) => c.args), [{ id: 99 }]);
  assert.equal(await page.getByTestId('profile-name').count(), 0);
});
