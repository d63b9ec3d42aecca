// Chromium from Debian driven by playwright-core, with the fake backend in every page.
import { existsSync, readFileSync } from 'node:fs';
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
export async function openApp(harness, { seed = {}, locale = 'en-US', viewport = { width: 1280, height: 800 } } = {}) {
  const context = await harness.browser.newContext({ locale, timezoneId: 'UTC', viewport });
  await context.addInitScript(`window.__HEADTAIL_SEED__ = ${JSON.stringify(seed)};`);
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
