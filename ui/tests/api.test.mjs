// The call layer: every failure becomes an ErrorPayload, whatever Tauri rejects with.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from './helpers/compile.mjs';

let api;
let normaliseError;
let ERROR_CODES;
let reply;
const sent = [];

before(async () => {
  // What `invoke` from "@tauri-apps/api/core" calls.
  globalThis.window = {
    __TAURI_INTERNALS__: {
      invoke: async (cmd, args) => {
        sent.push({ cmd, args });
        return reply();
      },
    },
  };
  ({ api, normaliseError, ERROR_CODES } = await importTs('src/lib/api.ts'));
});

const query = { search: 'acme', kind: null, owner: null, sort: 'name', descending: false, deleted: false, offset: 0, limit: 50 };

describe('api', () => {
  test('passes arguments under the names the commands take and returns data', async () => {
    reply = () => ({ items: [], total: 0 });
    assert.deepEqual(await api.listCustomers(query), { ok: true, data: { items: [], total: 0 } });
    assert.deepEqual(sent.at(-1), { cmd: 'list_customers', args: { query } });
    reply = () => null;
    assert.deepEqual(await api.setLanguage('zh-CN'), { ok: true, data: null });
    assert.deepEqual(sent.at(-1), { cmd: 'set_language', args: { language: 'zh-CN' } });
    await api.updateCustomer(7, { name: 'x', kind: 'person' });
    assert.deepEqual(sent.at(-1), { cmd: 'update_customer', args: { id: 7, input: { name: 'x', kind: 'person' } } });
  });

  test('keeps a backend ErrorPayload as it is', async () => {
    const payload = {
      code: 'validation',
      message: 'invalid input: email (InvalidEmail)',
      details: { fields: [{ field: 'email', rule: 'invalid_email', limit: null }], params: {} },
    };
    reply = () => Promise.reject(payload);
    assert.deepEqual(await api.createCustomer({ name: 'a', kind: 'company', email: 'x' }), { ok: false, error: payload });
  });

  test('turns a plain string rejection into invalid_argument with the reason', async () => {
    const reason = 'invalid args `id` for command `get_customer`: invalid type: string "a", expected i64';
    reply = () => Promise.reject(reason);
    assert.deepEqual(await api.getCustomer(1), {
      ok: false,
      error: { code: 'invalid_argument', message: reason, details: { fields: [], params: { reason } } },
    });
  });

  test('turns a thrown Error (even from appInfo) into invalid_argument', async () => {
    reply = () => {
      throw new TypeError('IPC is not available');
    };
    const r = await api.deleteCustomer(3);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'invalid_argument');
    assert.equal(r.error.details.params.reason, 'IPC is not available');
    const info = await api.appInfo();
    assert.equal(info.ok, false);
    assert.equal(info.error.code, 'invalid_argument');
  });

  test('knows every ErrorCode of the backend and no other', async () => {
    const { readFileSync } = await import('node:fs');
    const bindings = readFileSync(new URL('../src/lib/bindings.ts', import.meta.url), 'utf8');
    const union = /export type ErrorCode = ([^;]+);/.exec(bindings);
    assert.ok(union, 'ErrorCode in bindings.ts');
    const generated = [...union[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    assert.deepEqual([...ERROR_CODES].sort(), [...generated].sort());
    for (const code of ['conflict', 'not_found', 'internal', 'unreadable_file', 'invalid_argument']) {
      assert.ok(ERROR_CODES.includes(code), code);
    }
  });

  test('normalises odd shapes', () => {
    assert.equal(normaliseError({ code: 'nonsense' }).code, 'invalid_argument');
    assert.equal(normaliseError({ code: 'nonsense' }).details.params.reason, '{"code":"nonsense"}');
    assert.deepEqual(normaliseError({ code: 'not_found', message: 'customer 9 was not found', details: { params: { id: 9 } } }), {
      code: 'not_found',
      message: 'customer 9 was not found',
      details: { fields: [], params: { id: '9' } },
    });
    assert.equal(normaliseError(undefined).code, 'invalid_argument');
    // Every code the backend sends is kept, not taken for an unknown one.
    for (const code of ['conflict', 'unreadable_file', 'internal']) {
      assert.equal(normaliseError({ code, message: 'm', details: { params: { reason: 'r' } } }).code, code);
    }
    assert.equal(normaliseError(null).details.params.reason, 'null');
  });
});

describe('api: contacts, timeline, activity, erasure, backups, demo', () => {
  test('pass arguments under the names the commands take', async () => {
    reply = () => [];
    await api.listContacts(7);
    assert.deepEqual(sent.at(-1), { cmd: 'list_contacts', args: { customerId: 7 } });
    const contact = { customer_id: 7, name: '王芳', is_primary: true };
    await api.createContact(contact);
    assert.deepEqual(sent.at(-1), { cmd: 'create_contact', args: { input: contact } });
    await api.updateContact(3, contact);
    assert.deepEqual(sent.at(-1), { cmd: 'update_contact', args: { id: 3, input: contact } });
    await api.deleteContact(3);
    assert.deepEqual(sent.at(-1), { cmd: 'delete_contact', args: { id: 3 } });

    const timelineQuery = { before: { at: '2025-05-20', kind: 'order', id: 4 }, limit: 25, kinds: ['order'], utc_offset_minutes: 480 };
    reply = () => ({ items: [], total: 0, next: null });
    assert.deepEqual(await api.customerTimeline(7, timelineQuery), { ok: true, data: { items: [], total: 0, next: null } });
    assert.deepEqual(sent.at(-1), { cmd: 'customer_timeline', args: { customerId: 7, query: timelineQuery } });

    reply = () => ({});
    const order = { customer_id: 7, ordered_on: '2025-06-01', amount_minor: 123450, lines: [] };
    await api.createOrder(order);
    assert.deepEqual(sent.at(-1), { cmd: 'create_order', args: { input: order } });
    const interaction = { customer_id: 7, kind: 'call', occurred_at: '2025-06-01T09:00:00' };
    await api.createInteraction(interaction);
    assert.deepEqual(sent.at(-1), { cmd: 'create_interaction', args: { input: interaction } });
    const complaint = { customer_id: 7, opened_at: '2025-06-01T09:00:00', category: 'x', severity: 'low', status: 'open' };
    await api.createComplaint(complaint);
    assert.deepEqual(sent.at(-1), { cmd: 'create_complaint', args: { input: complaint } });
    const survey = { customer_id: 7, kind: 'nps', responded_on: '2025-06-01', score: 9 };
    await api.createSurveyResponse(survey);
    assert.deepEqual(sent.at(-1), { cmd: 'create_survey_response', args: { input: survey } });
    await api.eraseCustomer(7);
    assert.deepEqual(sent.at(-1), { cmd: 'erase_customer', args: { id: 7 } });

    await api.listBackups();
    assert.deepEqual(sent.at(-1).cmd, 'list_backups');
    await api.createBackup();
    assert.deepEqual(sent.at(-1).cmd, 'create_backup');
    await api.restoreBackup('headtail-20250601-080000.sqlite');
    assert.deepEqual(sent.at(-1), { cmd: 'restore_backup', args: { fileName: 'headtail-20250601-080000.sqlite' } });
    await api.openDemo();
    assert.deepEqual(sent.at(-1).cmd, 'open_demo');
    reply = () => null;
    assert.deepEqual(await api.closeDemo(), { ok: true, data: null });
    assert.deepEqual(sent.at(-1).cmd, 'close_demo');
  });

  test('a refused backup in the demo arrives as a conflict with its reason', async () => {
    const reason = 'backups are for your own database; leave the demo first';
    reply = () => Promise.reject({ code: 'conflict', message: reason, details: { fields: [], params: { reason } } });
    const r = await api.createBackup();
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'conflict');
    assert.equal(r.error.details.params.reason, reason);
  });
});
