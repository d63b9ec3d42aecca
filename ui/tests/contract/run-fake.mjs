// Answers the contract calls (calls.mjs) with the fake backend of the UI tests and prints
// { files, steps, answers, uncalled } as JSON for tests/contract.rs, which sends the same steps to the
// real commands. Each answer is { ok: value }, { err: rejection } or { crash: text } when the
// fake itself threw. Usage: node run-fake.mjs [path of the fake, for a deliberately altered copy]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { files, steps } from './calls.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const fakePath = process.argv[2] ?? join(fixtures, 'fake-backend.js');

// What the page gives the fake: its seed, the constants generated from Rust, a document,
// and timers that do not wait. A context of its own, since the fake freezes Object.prototype
// as Tauri does.
const page = {
  structuredClone,
  setTimeout: (run, _ms, ...args) => setTimeout(run, 0, ...args),
  clearTimeout,
  console,
  document: { addEventListener() {} },
  __HEADTAIL_SEED__: { dataDir: '$DATA', importDelayMs: 0, evaluation: { runs: 0, stageDelayMs: 0 } },
  __HEADTAIL_BACKEND__: JSON.parse(readFileSync(join(fixtures, 'backend-constants.json'), 'utf8')),
};
page.window = page;
vm.createContext(page);
vm.runInContext(readFileSync(fakePath, 'utf8'), page, { filename: fakePath });

/** Replaces "@name" by a saved value, in any depth of the arguments. */
function resolve(value, saved) {
  if (typeof value === 'string' && value.startsWith('@')) {
    if (!(value.slice(1) in saved)) throw new Error(`nothing saved as ${value}`);
    return saved[value.slice(1)];
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, saved));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, saved)]));
  return value;
}

const isError = (e) => Object.prototype.toString.call(e) === '[object Error]';
const saved = {};
const answers = [];
for (const step of steps) {
  let answer;
  try {
    answer = { ok: await page.__TAURI_INTERNALS__.invoke(step.cmd, resolve(step.args, saved)) };
  } catch (e) {
    answer = isError(e) ? { crash: String(e.stack ?? e) } : { err: e };
  }
  for (const [name, path] of Object.entries(step.save ?? {})) {
    const value = path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), answer.ok);
    if (value !== undefined) saved[name] = value;
  }
  answers.push(answer);
}
// Commands the fake answers that no step calls; the dialog plugin's open a window.
const uncalled = page.__fake.commands.filter((cmd) => !cmd.startsWith('plugin:dialog|') && !steps.some((s) => s.cmd === cmd));
process.stdout.write(JSON.stringify({ files, steps, answers, uncalled }));
