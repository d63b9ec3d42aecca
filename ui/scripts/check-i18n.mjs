#!/usr/bin/env node
// Checks the translations against each other and against the source.
//
//   node scripts/check-i18n.mjs [--root DIR]
//
// DIR (default: the ui folder) holds src/locales/*.json, src/lib/bindings.ts and the sources.
// Fails, listing the keys, when a key is missing from a locale, present in the locales but
// never used, used in the source but absent, when plural forms or {{placeholders}} disagree
// between locales, or when a t() call cannot be checked.
//
// Keys built at run time are allowed only for these families, whose members come from the
// types generated from Rust: t(`error.${code}`) → ErrorCode, t(`validation.${rule}`) → Rule,
// t(`field.${name}`) → the fields of CustomerInput, and for imports t(`import.reason.${r}`) →
// Reason, t(`import.field.${f}`) → Field, t(`import.status.${s}`) → ImportStatus,
// t(`import.kind.${k}`) → ImportKind, t(`import.mode.${m}`) → ImportMode, and for evaluations
// t(`evaluation.tier.${x}`) → Tier, `evaluation.segment.` → RfmSegment, `evaluation.value_class.`
// → ValueClass, `evaluation.lifecycle.` → Lifecycle, `evaluation.behaviour.` → Behaviour,
// `evaluation.service_level.` → ServiceLevel, `evaluation.next_action.` → NextActionKind,
// `evaluation.exit_step.` → ExitStep, `evaluation.stage.` → Stage, `evaluation.dimension.` →
// Dimension, `evaluation.trigger.` → Trigger and `evaluation.setting.` → the fields of
// EvaluationSettingsInput_Deserialize.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLURAL_FORMS = ['zero', 'one', 'two', 'few', 'many', 'other'];
const SOURCE_EXTENSIONS = ['.ts', '.js', '.mjs', '.svelte'];

function parseArgs(argv) {
  const args = { root: resolve(dirname(fileURLToPath(import.meta.url)), '..') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root' && argv[i + 1]) args.root = resolve(argv[++i]);
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return args;
}

/**
 * "a.b_one" → { base: "a.b", form: "one" } when "a.b_other" exists (every language has the
 * "other" form), so that a key such as "validation.too_many" stays a plain key.
 */
function splitPlural(key, allKeys) {
  const m = /^(.*)_(zero|one|two|few|many|other)$/.exec(key);
  return m && allKeys.has(`${m[1]}_other`) ? { base: m[1], form: m[2] } : { base: key, form: null };
}

function flatten(value, prefix, out, problems, file) {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') {
      if (v.trim() === '') problems.push(`${file}: empty translation for "${key}"`);
      out.set(key, v);
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      flatten(v, key, out, problems, file);
    } else {
      problems.push(`${file}: "${key}" is not a string or an object`);
    }
  }
  return out;
}

function placeholders(text) {
  return [...text.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]).sort();
}

const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

function unionMembers(bindings, typeName) {
  const m = new RegExp(`export type ${typeName} = ([^;]+);`).exec(bindings);
  if (!m) return null;
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

function objectFields(bindings, typeName) {
  const m = new RegExp(`export type ${typeName} = \\{([\\s\\S]*?)\\n\\};`).exec(bindings);
  if (!m) return null;
  return [...m[1].matchAll(/^\s*(\w+)\??\s*:/gm)].map((x) => x[1]);
}

function walk(dir, files = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'locales' && name !== 'node_modules') walk(path, files);
    } else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext)) && name !== 'bindings.ts') {
      files.push(path);
    }
  }
  return files;
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

export function checkI18n(root) {
  const problems = [];
  const src = join(root, 'src');
  const localeDir = join(src, 'locales');
  const bindings = stripComments(readFileSync(join(src, 'lib', 'bindings.ts'), 'utf8'));

  // Families of keys built at run time, from the generated types.
  const families = new Map();
  const errorCodes = unionMembers(bindings, 'ErrorCode');
  const rules = unionMembers(bindings, 'Rule');
  const inputFields = objectFields(bindings, 'CustomerInput_Deserialize');
  if (!errorCodes) problems.push('bindings.ts: type ErrorCode not found');
  if (!rules) problems.push('bindings.ts: type Rule not found');
  if (!inputFields) problems.push('bindings.ts: type CustomerInput_Deserialize not found');
  families.set('error.', errorCodes ?? []);
  families.set('validation.', rules ?? []);
  families.set('field.', inputFields ?? []);
  // Import families: each union must exist once the bindings have import commands.
  const importUnions = [
    ['import.reason.', 'Reason'],
    ['import.field.', 'Field'],
    ['import.status.', 'ImportStatus'],
    ['import.kind.', 'ImportKind'],
    ['import.mode.', 'ImportMode'],
  ];
  const hasImports = /\bexport type ImportReport\b/.test(bindings);
  for (const [prefix, typeName] of importUnions) {
    const members = unionMembers(bindings, typeName);
    if (!members && hasImports) problems.push(`bindings.ts: type ${typeName} not found`);
    families.set(prefix, members ?? []);
  }

  // Evaluation families: closed sets of the segmentation engine. Absent types (older
  // bindings) leave their family empty.
  const evaluationUnions = [
    ['evaluation.tier.', 'Tier'],
    ['evaluation.segment.', 'RfmSegment'],
    ['evaluation.value_class.', 'ValueClass'],
    ['evaluation.lifecycle.', 'Lifecycle'],
    ['evaluation.behaviour.', 'Behaviour'],
    ['evaluation.service_level.', 'ServiceLevel'],
    ['evaluation.next_action.', 'NextActionKind'],
    ['evaluation.exit_step.', 'ExitStep'],
    ['evaluation.stage.', 'Stage'],
    ['evaluation.dimension.', 'Dimension'],
    ['evaluation.trigger.', 'Trigger'],
    ['evaluation.clv_model.', 'ClvModel'],
    ['evaluation.clv_cause.', 'ClvCause'],
  ];
  for (const [prefix, typeName] of evaluationUnions) families.set(prefix, unionMembers(bindings, typeName) ?? []);
  const settingFields = objectFields(bindings, 'EvaluationSettingsInput_Deserialize');
  if (!settingFields && hasImports) problems.push('bindings.ts: type EvaluationSettingsInput_Deserialize not found');
  families.set('evaluation.setting.', settingFields ?? []);

  // Locales.
  const locales = new Map();
  for (const name of readdirSync(localeDir).filter((n) => n.endsWith('.json')).sort()) {
    const lang = basename(name, '.json');
    let data;
    try {
      data = JSON.parse(readFileSync(join(localeDir, name), 'utf8'));
    } catch (e) {
      problems.push(`${name}: invalid JSON (${e.message})`);
      continue;
    }
    const flat = flatten(data, '', new Map(), problems, name);
    locales.set(lang, { file: name, flat });
  }
  const allKeys = new Set();
  for (const { flat } of locales.values()) for (const key of flat.keys()) allKeys.add(key);
  for (const [lang, { file, flat }] of locales) {
    const bases = new Map();
    for (const [key, text] of flat) {
      const { base, form } = splitPlural(key, allKeys);
      const entry = bases.get(base) ?? { forms: new Map(), plain: false, placeholders: new Set() };
      for (const p of placeholders(text)) entry.placeholders.add(p);
      if (form) entry.forms.set(form, text);
      else entry.plain = true;
      bases.set(base, entry);
    }
    locales.set(lang, { file, bases });
  }
  if (locales.size < 2) problems.push(`expected at least two locales in ${relative(root, localeDir)}`);

  // Keys the source uses.
  const used = new Map(); // key → first place it is used
  const usedFamilies = new Set();
  for (const file of walk(src)) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const m of text.matchAll(/(?<![\w$.])t\(\s*(?:'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`|([^\s)'"`]))/g)) {
      const at = `${rel}:${lineOf(text, m.index)}`;
      const literal = m[1] ?? m[2] ?? m[3];
      if (m[4] !== undefined) {
        if (/function\s+$/.test(text.slice(Math.max(0, m.index - 20), m.index))) continue;
        problems.push(`${at}: t() is called with a computed key that cannot be checked`);
        continue;
      }
      if (m[3] !== undefined && literal.includes('${')) {
        const prefix = literal.slice(0, literal.indexOf('${'));
        const rest = literal.slice(literal.indexOf('${'));
        if (!families.has(prefix) || !/^\$\{[^}]+\}$/.test(rest)) {
          problems.push(`${at}: dynamic key \`${literal}\` is not one of the checked families (${[...families.keys()].map((f) => f + '*').join(', ')})`);
        } else {
          usedFamilies.add(prefix);
        }
        continue;
      }
      if (!used.has(literal)) used.set(literal, at);
    }
  }
  for (const prefix of usedFamilies) {
    for (const member of families.get(prefix)) {
      const key = prefix + member;
      if (!used.has(key)) used.set(key, `${prefix}* (from bindings.ts)`);
    }
  }

  // Every locale has every used key, and nothing unused.
  const allBases = new Set();
  for (const { bases } of locales.values()) for (const base of bases.keys()) allBases.add(base);
  for (const [key, at] of used) {
    for (const [lang, { bases }] of locales) {
      if (!bases.has(key)) problems.push(`${lang}: missing key "${key}" (used at ${at})`);
    }
  }
  for (const base of [...allBases].sort()) {
    const holders = [...locales].filter(([, l]) => l.bases.has(base)).map(([lang]) => lang);
    for (const lang of locales.keys()) {
      if (!holders.includes(lang) && !used.has(base)) problems.push(`${lang}: missing key "${base}" (present in ${holders.join(', ')})`);
    }
    if (!used.has(base)) {
      problems.push(`unused key "${base}" (in ${holders.join(', ')})`);
      continue;
    }
    // Plural forms: each locale has exactly the categories its language needs.
    const pluralIn = holders.filter((lang) => locales.get(lang).bases.get(base).forms.size > 0);
    if (pluralIn.length > 0) {
      for (const lang of holders) {
        const entry = locales.get(lang).bases.get(base);
        const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
        if (entry.plain) problems.push(`${lang}: "${base}" is plural elsewhere but has a plain form here`);
        for (const form of needed) {
          if (!entry.forms.has(form)) problems.push(`${lang}: missing plural form "${base}_${form}"`);
        }
        for (const form of entry.forms.keys()) {
          if (!needed.includes(form)) problems.push(`${lang}: "${base}_${form}" is not a plural form of ${lang}`);
        }
      }
    }
  }

  // Placeholders agree between locales (all plural forms of a key together).
  for (const base of allBases) {
    const signatures = [...locales]
      .filter(([, l]) => l.bases.has(base))
      .map(([lang, l]) => [lang, [...l.bases.get(base).placeholders].sort().join(', ')]);
    if (new Set(signatures.map(([, sig]) => sig)).size > 1) {
      problems.push(`placeholders differ for "${base}": ${signatures.map(([lang, sig]) => `${lang} {${sig}}`).join(' vs ')}`);
    }
  }

  return { problems: [...new Set(problems)], keys: allBases.size, locales: [...locales.keys()], used: used.size };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const { problems, keys, locales } = checkI18n(args.root);
  if (problems.length > 0) {
    console.error(`i18n check failed with ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`i18n check passed: ${keys} keys in ${locales.join(', ')}, all present and used.`);
}
