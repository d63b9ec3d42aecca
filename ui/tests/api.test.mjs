// The call layer: every failure becomes an ErrorPayload, whatever Tauri rejects with.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { importTs } from './helpers/compile.mjs';

let api;
let normaliseError;
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
  ({ api, normaliseError } = await importTs('src/lib/api.ts'));
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

  test('normalises odd shapes', () => {
    assert.equal(normaliseError({ code: 'nonsense' }).code, 'invalid_argument');
    assert.equal(normaliseError({ code: 'nonsense' }).details.params.reason, '{"code":"nonsense"}');
    assert.deepEqual(normaliseError({ code: 'not_found', message: 'customer 9 was not found', details: { params: { id: 9 } } }), {
      code: 'not_found',
      message: 'customer 9 was not found',
      details: { fields: [], params: { id: '9' } },
    });
    assert.equal(normaliseError(undefined).code, 'invalid_argument');
    assert.equal(normaliseError(null).details.params.reason, 'null');
  });
});
