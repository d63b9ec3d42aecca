// Chromium from Debian driven by playwright-core, with the fake backend in every page.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.mjs';
import { UI_DIR } from './paths.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export { UI_DIR };
export const DIST_DIR = join(UI_DIR, 'dist');
export const SCREENSHOT_DIR = join(UI_DIR, '..', 'target', 'ui-screenshots');
const FAKE_BACKEND = join(here, '..', 'fixtures', 'fake-backend.js');
// The limits, choices and defaults the fake takes from the Rust code (tests/contract.rs).
const BACKEND_CONSTANTS = readFileSync(join(here, '..', 'fixtures', 'backend-constants.json'), 'utf8');
export const backend = JSON.parse(BACKEND_CONSTANTS);

export const en = JSON.parse(readFileSync(join(UI_DIR, 'src', 'locales', 'en.json'), 'utf8'));
export const zh = JSON.parse(readFileSync(join(UI_DIR, 'src', 'locales', 'zh-CN.json'), 'utf8'));

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The UI tests run against the built app; `npm run build` makes it. */
export function assertBuilt() {
  const index = join(DIST_DIR, 'index.html');
  if (!existsSync(index) || !/\/assets\/index-[\w-]+\.js/.test(readFileSync(index, 'utf8'))) {
    throw new Error(`${DIST_DIR} holds no built app: run \`npm run build\` before \`npm test\``);
  }
}

/** Starts the static server and Chromium (which gets a fresh temporary profile). */
export async function startHarness() {
  assertBuilt();
  const server = await serveStatic(DIST_DIR);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * Opens the app in a new browser context with the fake backend seeded.
 * Returns the page and the problems seen so far (page errors, console errors, dialogs).
 */
export async function openApp(harness, { seed = {}, locale = 'en-US', viewport = { width: 1280, height: 800 }, now = null, view = 'customers' } = {}) {
  const context = await harness.browser.newContext({ locale, timezoneId: 'UTC', viewport });
  // A fixed clock (`now`, a Date) for what depends on the time of day; timers still run.
  if (now !== null) await context.clock.setFixedTime(now);
  await context.addInitScript(`window.__HEADTAIL_SEED__ = ${JSON.stringify(seed)};`);
  await context.addInitScript(`window.__HEADTAIL_BACKEND__ = ${BACKEND_CONSTANTS};`);
  await context.addInitScript({ path: FAKE_BACKEND });
  const page = await context.newPage();
  const problems = { pageErrors: [], consoleErrors: [], dialogs: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(harness.server.url);
  await page.locator('h1').first().waitFor();
  // The app starts on My day; most tests start from another page.
  if (view !== 'my-day') {
    await page.getByTestId(`nav-${view}`).click();
    await page.locator('h1').first().waitFor();
  }
  return { context, page, problems };
}

/** IPC calls the page made, optionally only those of one command. */
export async function ipcCalls(page, cmd) {
  const calls = await page.evaluate(() => window.__fake.calls);
  return cmd ? calls.filter((c) => c.cmd === cmd) : calls;
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations);
}

/** Resolves i18next-style text for simple keys, for assertions ("customers.title"). */
export function tr(messages, key, params = {}) {
  const text = key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), messages);
  if (typeof text !== 'string') throw new Error(`no message for ${key}`);
  return text.replace(/\{\{\s*(\w+)(?:,\s*\w+)?\s*\}\}/g, (_, name) => String(params[name] ?? ''));
}

/**
 * Registers the hooks every UI test file uses: one harness for the file, and after each test
 * a check that the page raised no errors, logged no console errors, opened no dialogs and
 * broke no Content-Security-Policy rule. Returns `open(options)`, which opens the app.
 */
export function useApp({ before, after, afterEach }) {
  let harness;
  let current;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });
  afterEach(async () => {
    if (!current) return;
    const { page, context, problems } = current;
    current = undefined;
    try {
      assert.deepEqual(await cspViolations(page), [], 'Content-Security-Policy violations');
      assert.deepEqual(problems.pageErrors, [], 'uncaught errors in the page');
      assert.deepEqual(problems.consoleErrors, [], 'console errors');
      assert.deepEqual(problems.dialogs, [], 'dialogs opened by the page');
    } finally {
      await context.close();
    }
  });
  return async function open(options) {
    if (current) await current.context.close();
    current = await openApp(harness, options);
    return current.page;
  };
}

/** Saves a screenshot into target/ui-screenshots and checks that it is not blank. */
export async function shoot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  assert.ok(statSync(path).size > 10_000, `${name}.png looks empty`);
  return path;
}

/**
 * WebKit's WebDriver (the end-to-end tests) reports text as not displayed, and empty, when the
 * element holding it clips its own overflow: such text must sit in an inner element.
 */
export async function assertTextReadableByWebDriver(page) {
  const offenders = await page.evaluate(() =>
    [...document.querySelectorAll('#app *')]
      .filter((el) => !el.closest('.visually-hidden'))
      .filter((el) => {
        const style = getComputedStyle(el);
        return [style.overflowX, style.overflowY].some((o) => o === 'hidden' || o === 'clip');
      })
      .filter((el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== ''))
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: ${el.textContent.trim().slice(0, 30)}`),
  );
  assert.deepEqual(offenders, []);
}

/** Waits until the customer list shows exactly these names, in this order. */
export async function waitForNames(page, expected) {
  await page.waitForFunction(
    (want) =>
      JSON.stringify([...document.querySelectorAll('[data-testid="customer-row"] [data-testid="customer-name"]')].map((e) => e.textContent)) ===
      JSON.stringify(want),
    expected,
  );
}

/** Headers, buttons, badges and dates must show whole, whatever the language. */
export async function assertNothingClipped(page) {
  await assertTextReadableByWebDriver(page);
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('th, th *, button, select, h1, h2, .count, .range, .badge, td.fit, td.date, label, dt')]
      .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent.trim()),
  );
  assert.deepEqual(clipped, []);
}
