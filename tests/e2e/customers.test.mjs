// End to end on the real binary: create, find, restart, validate, switch language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Harness, root } from './webdriver.mjs';

const locale = (lang) => JSON.parse(readFileSync(path.join(root, 'ui', 'src', 'locales', `${lang}.json`), 'utf8'));
const zh = locale('zh-CN');
const en = locale('en');
const lookup = (dict, key) => key.split('.').reduce((node, part) => node?.[part], dict) ?? dict[key];

let harness;
before(async () => {
  harness = await Harness.start();
});
after(() => harness?.stop());

async function rowNames(app) {
  return app.texts('[data-testid="customer-row"] [data-testid="customer-name"]');
}

async function search(app, term) {
  await app.type('[data-testid="customer-search"]', term);
}

test('a customer created in Chinese is listed, found by part of the company, and survives a restart', async () => {
  let app = await harness.session();
  try {
    await app.click('[data-testid="lang-zh-CN"]');
    await app.until(async () => (await app.script('return document.documentElement.lang')) === 'zh-CN', 'Chinese UI');
    await app.click('[data-testid="new-customer"]');
    await app.type('#customer-name', '张伟');
    await app.click('#customer-kind option[value="company"]');
    await app.type('#customer-company', '深圳市华强电子有限公司');
    await app.type('#customer-phone', '138 0013 8000');
    await app.type('#customer-email', 'zhang.wei@huaqiang.cn');
    await app.type('#customer-region', '广东 深圳');
    await app.type('#customer-owner', '陈经理');
    await app.click('[data-testid="save-customer"]');
    await app.until(async () => (await rowNames(app)).includes('张伟'), '张伟 in the list');

    await search(app, '华强');
    await app.until(async () => {
      const names = await rowNames(app);
      return names.length === 1 && names[0] === '张伟';
    }, 'search by 华强');
    await search(app, '');
    await app.screenshot('customers-zh-CN');
  } finally {
    await app.close();
  }

  app = await harness.session();
  try {
    await app.until(async () => (await app.script('return document.documentElement.lang')) === 'zh-CN', 'language remembered after restart');
    await search(app, '华强');
    await app.until(async () => (await rowNames(app)).includes('张伟'), '张伟 after restart');
    await search(app, '');
    await app.click('[data-testid="lang-en"]');
    await app.until(async () => (await app.script('return document.documentElement.lang')) === 'en', 'English UI');
    await app.until(async () => (await app.text('h1')) === lookup(en, 'customers.title'), 'English heading');
    await app.screenshot('customers-en');
  } finally {
    await app.close();
  }
});

test('a bad email shows the translated error next to the field, in both languages', async () => {
  const app = await harness.session();
  try {
    await app.click('[data-testid="lang-zh-CN"]');
    await app.click('[data-testid="new-customer"]');
    await app.type('#customer-name', '李娜');
    await app.type('#customer-email', 'lina@@example');
    await app.click('[data-testid="save-customer"]');
    const zhMessage = lookup(zh, 'validation.invalid_email');
    assert.ok(zhMessage, 'the zh-CN locale has validation.invalid_email');
    await app.until(async () => (await app.text('#customer-email-error')) === zhMessage, 'Chinese email error');
    await app.screenshot('invalid-email-zh-CN');

    await app.click('[data-testid="lang-en"]');
    const enMessage = lookup(en, 'validation.invalid_email');
    await app.until(async () => (await app.text('#customer-email-error')) === enMessage, 'English email error');
    assert.notEqual(zhMessage, enMessage);
    await app.screenshot('invalid-email-en');
    await app.click('[data-testid="cancel-edit"]');
    assert.ok(!(await rowNames(app)).includes('李娜'), 'the refused customer was not saved');
  } finally {
    await app.close();
  }
});
