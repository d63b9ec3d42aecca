// The start screen of an encrypted database, in Chromium against the fake backend.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', region: '浙江杭州', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company', region: 'London', owner: 'Emma Clarke' },
];

async function typePassphrase(page, text) {
  const input = page.getByTestId('unlock-passphrase');
  await input.fill(text);
  await page.getByTestId('unlock-submit').click();
}

describe('an encrypted database', () => {
  test('asks for its passphrase, says when it is wrong, and opens the app with the right one', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, passphrase: 'correct horse' }, view: 'my-day' });
    const screen = page.getByTestId('unlock-screen');
    await screen.waitFor();
    assert.equal(await page.locator('h1').first().textContent(), en.unlock.title);
    assert.equal(await page.getByTestId('startup-error').count(), 0, 'no banner behind the start screen');
    assert.equal(await page.getByTestId('unlock-submit').isDisabled(), true, 'nothing to send yet');
    assert.equal(await page.getByTestId('unlock-passphrase').getAttribute('type'), 'password');

    await typePassphrase(page, 'wrong horse');
    const banner = screen.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-code'), 'wrong_passphrase');
    assert.equal(await banner.locator('.banner-message').textContent(), en.error.wrong_passphrase);
    assert.equal(await page.getByTestId('unlock-passphrase').getAttribute('aria-invalid'), 'true');
    await assertNothingClipped(page);
    await shoot(page, 'unlock-wrong-passphrase-en');

    await page.getByTestId('unlock-remember').check();
    await typePassphrase(page, 'correct horse');
    await screen.waitFor({ state: 'detached' });
    await page.getByTestId('toast').filter({ hasText: en.unlock.remembered }).waitFor();
    await page.getByTestId('nav-customers').click();
    await page.locator('[data-testid="customer-row"]').first().waitFor();
    assert.equal(await page.locator('[data-testid="customer-row"]').count(), 2);
    const unlocks = await ipcCalls(page, 'unlock_database');
    assert.deepEqual(
      unlocks.map((c) => c.args),
      [
        { passphrase: 'wrong horse', remember: false },
        { passphrase: 'correct horse', remember: true },
      ],
    );
  });

  test('speaks Chinese, and a keyring out of reach is said without stopping the app', async () => {
    const page = await open({
      seed: { customers: CUSTOMERS, passphrase: '正确的马', language: 'zh-CN', keyringError: 'no secret service is running' },
      locale: 'zh-CN',
      view: 'my-day',
    });
    const screen = page.getByTestId('unlock-screen');
    await screen.waitFor();
    assert.equal(await page.locator('h1').first().textContent(), zh.unlock.title);
    assert.match(await screen.textContent(), new RegExp(zh.unlock.remember));

    await typePassphrase(page, '错误的马');
    const banner = screen.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.locator('.banner-message').textContent(), zh.error.wrong_passphrase);
    await assertNothingClipped(page);
    await shoot(page, 'unlock-wrong-passphrase-zh-CN');

    // Typing again clears the error.
    await page.getByTestId('unlock-passphrase').fill('正');
    assert.equal(await banner.count(), 0);

    await page.getByTestId('unlock-remember').check();
    await typePassphrase(page, '正确的马');
    await screen.waitFor({ state: 'detached' });
    const failed = tr(zh, 'unlock.keyring_failed', { reason: 'no secret service is running' });
    await page.getByTestId('toast').filter({ hasText: failed }).waitFor();
    await page.getByTestId('nav-customers').click();
    await page.locator('[data-testid="customer-row"]').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  });

  test('the start screen switches language before the database is open', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, passphrase: 'pw' }, view: 'my-day' });
    await page.getByTestId('unlock-screen').waitFor();
    await page.getByTestId('unlock-lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await page.locator('h1').first().textContent(), zh.unlock.title);
    assert.equal(await page.getByTestId('unlock-submit').textContent(), zh.unlock.submit);
    await shoot(page, 'unlock-zh-CN');
  });
});
