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

describe('toMinorUnits', () => {
  test('turns typed major units into exact minor units', () => {
    assert.equal(f.toMinorUnits('1234.5', 'CNY'), 123450);
    assert.equal(f.toMinorUnits('1,234.50', 'CNY'), 123450);
    assert.equal(f.toMinorUnits(' ¥1 234.5 ', 'CNY'), 123450);
    assert.equal(f.toMinorUnits('￥１２３４．５', 'CNY'), 123450, 'full-width digits and yen sign');
    assert.equal(f.toMinorUnits('0.1', 'CNY'), 10);
    assert.equal(f.toMinorUnits('.5', 'USD'), 50);
    assert.equal(f.toMinorUnits('12.', 'USD'), 1200);
    assert.equal(f.toMinorUnits('1200', 'JPY'), 1200);
    assert.equal(f.toMinorUnits('1.234', 'KWD'), 1234);
    assert.equal(f.toMinorUnits('-5', 'CNY'), -500);
    assert.equal(f.toMinorUnits('-¥5', 'CNY'), -500);
    assert.equal(f.toMinorUnits('0', 'CNY'), 0);
  });

  test('is exact where floating point is not', () => {
    // 1.005 * 100 is 100.49999999999999 in floating point.
    assert.equal(f.toMinorUnits('1.005', 'KWD'), 1005);
    assert.equal(f.toMinorUnits('0.29', 'USD'), 29);
    assert.equal(f.toMinorUnits('90071992547409.91', 'USD'), 9007199254740991);
  });

  test('refuses what is not an amount in the currency', () => {
    for (const text of ['', 'abc', '1.2.3', '12.345', '1,23', '1e3', '--5', '5-', '¥', '.', '1.5', '90071992547409.92']) {
      const currency = text === '1.5' ? 'JPY' : 'USD';
      assert.equal(f.toMinorUnits(text, currency), null, text);
    }
  });
});

describe('local dates and times', () => {
  test('are shown as written, without a time-zone shift', () => {
    assert.equal(f.formatLocalDate('2025-03-04', 'en'), 'Mar 4, 2025');
    assert.equal(f.formatLocalDate('2025-03-04T23:30:00', 'zh-CN'), '2025年3月4日');
    assert.equal(f.formatLocalDay('2025-06-01', 'en'), 'Sun, Jun 1, 2025');
    assert.equal(f.formatLocalDay('2025-06-01', 'zh-CN'), '2025年6月1日周日');
    assert.equal(plain(f.formatLocalTime('2025-06-01T14:30:00', 'en')), '2:30 PM');
    assert.equal(f.formatLocalTime('2025-06-01T09:05:00', 'zh-CN'), '09:05');
    assert.equal(f.formatLocalTime('2025-06-01', 'zh-CN'), '', 'a date has no time');
  });

  test('return what they cannot read unchanged', () => {
    assert.equal(f.formatLocalDate('2025-02-30', 'en'), '2025-02-30');
    assert.equal(f.formatLocalDay('soon', 'en'), 'soon');
    assert.equal(f.formatLocalTime('soon', 'en'), '');
  });

  test('date input values are local', () => {
    const d = new Date(2025, 0, 5, 7, 3);
    assert.equal(f.localDateValue(d), '2025-01-05');
    assert.equal(f.localDateTimeValue(d), '2025-01-05T07:03');
  });
});

describe('formatBytes and currencySymbol', () => {
  test('sizes in powers of 1000', () => {
    assert.equal(plain(f.formatBytes(512, 'en')), '512 bytes');
    assert.equal(plain(f.formatBytes(980_000, 'en')), '980 kB');
    assert.equal(plain(f.formatBytes(1_310_720, 'zh-CN')), '1.3 MB');
    assert.equal(plain(f.formatBytes(2_500_000_000, 'en')), '2.5 GB');
  });

  test('currency symbols per locale', () => {
    assert.equal(f.currencySymbol('CNY', 'zh-CN'), '¥');
    assert.equal(f.currencySymbol('USD', 'en'), '$');
    assert.equal(f.currencySymbol('not a code', 'en'), 'not a code');
  });
});
