// The i18n checker itself, on temporary fixtures, and on the real project.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UI_DIR } from './helpers/paths.mjs';

const SCRIPT = join(UI_DIR, 'scripts', 'check-i18n.mjs');

const BINDINGS = `
export type CustomerInput_Deserialize = {
	name: string,
	email?: string | null,
};
export type ErrorCode = "validation" | "not_found";
export type Rule = "required" | "invalid_email";
`;

const SOURCE = `
import { t } from './i18n';
export const a = t('app.title');
export const b = (n: number) => t("list.count", { count: n });
export const c = (code: string) => t(\`error.\${code}\`);
export const d = (rule: string, limit: number) => t(\`validation.\${rule}\`, { limit });
export const e = (f: string) => t(\`field.\${f}\`);
`;

function locale(overrides = {}) {
  return {
    app: { title: 'Title' },
    list: { count_one: '{{count}} item', count_other: '{{count}} items' },
    error: { validation: 'Check the fields.', not_found: 'Not found.' },
    validation: { required: 'Required.', invalid_email: 'Bad email.' },
    field: { name: 'Name', email: 'Email' },
    ...overrides,
  };
}

function zhLocale(overrides = {}) {
  return locale({ app: { title: '标题' }, list: { count_other: '{{count}} 项' }, ...overrides });
}

function fixture({ en = locale(), zh = zhLocale(), source = SOURCE, bindings = BINDINGS } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'headtail-i18n-'));
  mkdirSync(join(root, 'src', 'lib'), { recursive: true });
  mkdirSync(join(root, 'src', 'locales'), { recursive: true });
  writeFileSync(join(root, 'src', 'lib', 'bindings.ts'), bindings);
  writeFileSync(join(root, 'src', 'App.svelte'), `<script lang="ts">\n${source}\n</script>\n`);
  writeFileSync(join(root, 'src', 'locales', 'en.json'), JSON.stringify(en, null, 2));
  writeFileSync(join(root, 'src', 'locales', 'zh-CN.json'), JSON.stringify(zh, null, 2));
  return root;
}

function run(root) {
  const args = root ? [SCRIPT, '--root', root] : [SCRIPT];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('check-i18n', () => {
  test('passes on the project itself', () => {
    const r = run();
    assert.equal(r.status, 0, r.out);
  });

  test('passes on a consistent fixture', () => {
    const r = run(fixture());
    assert.equal(r.status, 0, r.out);
  });

  test('fails on a key missing from one locale', () => {
    const zh = zhLocale();
    delete zh.app.title;
    const r = run(fixture({ zh }));
    assert.equal(r.status, 1);
    assert.match(r.out, /zh-CN: missing key "app\.title"/);
  });

  test('fails on a key in the locales that the source never uses', () => {
    const r = run(fixture({ en: locale({ old: { label: 'Old' } }), zh: zhLocale({ old: { label: '旧' } }) }));
    assert.equal(r.status, 1);
    assert.match(r.out, /unused key "old\.label"/);
  });

  test('fails on a key used in the source but absent from every locale', () => {
    const r = run(fixture({ source: SOURCE + "\nexport const z = t('app.subtitle');" }));
    assert.equal(r.status, 1);
    assert.match(r.out, /en: missing key "app\.subtitle" \(used at src\/App\.svelte:\d+\)/);
    assert.match(r.out, /zh-CN: missing key "app\.subtitle"/);
  });

  test('checks dynamic families against the generated types', () => {
    // A new ErrorCode and a new CustomerInput field in Rust need translations.
    const bindings = BINDINGS.replace('"not_found";', '"not_found" | "io";').replace('name: string,', 'name: string,\n\tphone?: string | null,');
    let r = run(fixture({ bindings }));
    assert.equal(r.status, 1);
    assert.match(r.out, /en: missing key "error\.io"/);
    assert.match(r.out, /zh-CN: missing key "field\.phone"/);
    // A translation for a rule that no longer exists is unused.
    const extra = (l) => ({ ...l, validation: { ...l.validation, too_short: 'x' } });
    r = run(fixture({ en: extra(locale()), zh: extra(zhLocale()) }));
    assert.equal(r.status, 1);
    assert.match(r.out, /unused key "validation\.too_short"/);
  });

  test('fails on keys it cannot check', () => {
    const r = run(fixture({ source: SOURCE + '\nexport const k = (x: string) => t(`app.${x}`);\nexport const j = (x: any) => t(x);' }));
    assert.equal(r.status, 1);
    assert.match(r.out, /dynamic key `app\.\$\{x\}` is not one of the checked families/);
    assert.match(r.out, /computed key that cannot be checked/);
  });

  test('fails on wrong plural forms and mismatched placeholders', () => {
    let r = run(fixture({ en: locale({ list: { count_other: '{{count}} items' } }) }));
    assert.equal(r.status, 1);
    assert.match(r.out, /en: missing plural form "list\.count_one"/);
    r = run(fixture({ zh: zhLocale({ app: { title: '标题 {{name}}' } }) }));
    assert.equal(r.status, 1);
    assert.match(r.out, /placeholders differ for "app\.title"/);
  });
});
