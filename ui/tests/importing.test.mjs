import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from './helpers/compile.mjs';

let m;
before(async () => {
  m = await importTs('src/lib/importing.ts');
});

describe('progressPercent', () => {
  test('is the share of bytes read, rounded and bounded', () => {
    assert.equal(m.progressPercent({ rows_done: 10, bytes_done: 1, bytes_total: 3 }), 33);
    assert.equal(m.progressPercent({ rows_done: 10, bytes_done: 3, bytes_total: 3 }), 100);
    assert.equal(m.progressPercent({ rows_done: 10, bytes_done: 5, bytes_total: 3 }), 100);
    assert.equal(m.progressPercent({ rows_done: 0, bytes_done: 0, bytes_total: 48_213 }), 0);
  });

  test('is unknown before the first message or for an empty file', () => {
    assert.equal(m.progressPercent(null), null);
    assert.equal(m.progressPercent({ rows_done: 0, bytes_done: 0, bytes_total: 0 }), null);
  });
});

describe('export paths', () => {
  test('joins with the folder own separator', () => {
    assert.equal(m.joinPath('/home/lin/Downloads', 'a.csv'), '/home/lin/Downloads/a.csv');
    assert.equal(m.joinPath('/home/lin/Downloads/', 'a.csv'), '/home/lin/Downloads/a.csv');
    assert.equal(m.joinPath('C:\\Users\\lin\\Downloads', 'a.csv'), 'C:\\Users\\lin\\Downloads\\a.csv');
  });

  test('names the file after the day and changes its extension with the format', () => {
    assert.equal(m.defaultExportName('2025-06-01', 'csv'), 'headtail-customers-2025-06-01.csv');
    assert.equal(m.localDay(new Date(2025, 0, 5)), '2025-01-05');
    assert.equal(m.withExtension('/a/b/headtail.csv', 'xlsx'), '/a/b/headtail.xlsx');
    assert.equal(m.withExtension('/a/b.d/客户', 'csv'), '/a/b.d/客户.csv');
    assert.equal(m.baseName('/tmp/x/客户名单.csv'), '客户名单.csv');
  });
});

describe('field lists', () => {
  test('every kind maps its required fields', () => {
    assert.ok(m.FIELDS_BY_KIND.customers.includes('name'));
    assert.ok(m.FIELDS_BY_KIND.orders.includes('amount'));
    assert.ok(m.FIELDS_BY_KIND.interactions.includes('interaction_type'));
    assert.ok(m.FIELDS_BY_KIND.survey_responses.includes('score'));
  });
});
