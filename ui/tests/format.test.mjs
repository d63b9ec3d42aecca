import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from './helpers/compile.mjs';

let f;
before(async () => {
  f = await importTs('src/lib/format.ts');
});

// Intl may use U+202F/U+00A0 as spaces; compare with plain spaces.
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('formatDate', () => {
  test('formats per locale', () => {
    assert.equal(f.formatDate('2025-03-04T10:00:00.000Z', 'en', 'UTC'), 'Mar 4, 2025');
    assert.equal(f.formatDate('2025-03-04T10:00:00.000Z', 'zh-CN', 'UTC'), '2025年3月4日');
  });

  test('uses the given time zone for the calendar day', () => {
    assert.equal(f.formatDate('2025-03-04T20:00:00.000Z', 'en', 'Asia/Shanghai'), 'Mar 5, 2025');
    assert.equal(f.formatDate('2025-03-04T20:00:00.000Z', 'en', 'UTC'), 'Mar 4, 2025');
  });

  test('returns unparseable input unchanged', () => {
    assert.equal(f.formatDate('not a date', 'en'), 'not a date');
    assert.equal(f.formatDateTime('', 'zh-CN'), '');
  });
});

describe('formatDateTime', () => {
  test('includes hours and minutes', () => {
    assert.equal(plain(f.formatDateTime('2025-03-04T09:05:00.000Z', 'en', 'UTC')), 'Mar 4, 2025, 9:05 AM');
    assert.equal(f.formatDateTime('2025-03-04T09:05:00.000Z', 'zh-CN', 'UTC'), '2025年3月4日 09:05');
    assert.equal(f.formatDateTime('2025-03-04T09:05:00.000Z', 'zh-CN', 'Asia/Shanghai'), '2025年3月4日 17:05');
  });
});

describe('formatMoney', () => {
  test('converts minor units using the currency’s digits', () => {
    assert.equal(f.formatMoney(123456, 'CNY', 'zh-CN'), '¥1,234.56');
    assert.equal(f.formatMoney(123456, 'USD', 'en'), '$1,234.56');
    assert.equal(f.formatMoney(123456, 'CNY', 'en'), 'CN¥1,234.56');
    assert.equal(f.formatMoney(1234, 'JPY', 'en'), '¥1,234');
    assert.equal(plain(f.formatMoney(1234, 'KWD', 'en')), 'KWD 1.234');
  });

  test('small, zero and negative amounts', () => {
    assert.equal(f.formatMoney(5, 'USD', 'en'), '$0.05');
    assert.equal(f.formatMoney(0, 'CNY', 'zh-CN'), '¥0.00');
    assert.equal(f.formatMoney(-199, 'USD', 'en'), '-$1.99');
    assert.equal(f.formatMoney(-5, 'EUR', 'en'), '-€0.05');
  });

  test('is exact for amounts beyond float precision of major units', () => {
    // 90,071,992,547,409.91 cannot be represented exactly as a double.
    assert.equal(f.formatMoney(9007199254740991, 'USD', 'en'), '$90,071,992,547,409.91');
  });

  test('rejects amounts that are not whole minor units', () => {
    assert.throws(() => f.formatMoney(1.5, 'USD', 'en'), RangeError);
    assert.throws(() => f.formatMoney(Number.NaN, 'USD', 'en'), RangeError);
  });

  test('knows currency digits', () => {
    assert.equal(f.currencyDigits('CNY'), 2);
    assert.equal(f.currencyDigits('JPY'), 0);
    assert.equal(f.currencyDigits('KWD'), 3);
  });
});

describe('formatNumber', () => {
  test('groups digits', () => {
    assert.equal(f.formatNumber(1234567, 'en'), '1,234,567');
    assert.equal(f.formatNumber(1234567, 'zh-CN'), '1,234,567');
  });
});
