// End to end on the real binary: the Charts page of an evaluated database, and one chart saved
// through the desktop's own save dialog (GTK's file chooser, driven with xdotool as a person
// would: the file name typed, Enter pressed), as PNG in English and as SVG in Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Harness, root, screenshotDir, waitFor, which } from './webdriver.mjs';

const en = JSON.parse(readFileSync(path.join(root, 'ui', 'src', 'locales', 'en.json'), 'utf8'));
const zh = JSON.parse(readFileSync(path.join(root, 'ui', 'src', 'locales', 'zh-CN.json'), 'utf8'));

let harness;
let outDir;
before(async () => {
  which('xdotool');
  which('scrot');
  harness = await Harness.start();
  outDir = mkdtempSync(path.join(tmpdir(), 'headtail-charts-'));
  execFileSync(harness.binary, ['--db', harness.dbPath, 'demo', '--customers', '300', '--seed', '5'], { stdio: 'ignore' });
  execFileSync(harness.binary, ['--db', harness.dbPath, 'evaluate', '--out', path.join(outDir, 'members.csv')], {
    stdio: 'ignore',
  });
});
after(() => {
  harness?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Runs an X tool on the harness's display; its output, trimmed. */
function onDisplay(tool, args) {
  return execFileSync(tool, args, { env: { ...process.env, DISPLAY: harness.display } })
    .toString()
    .trim();
}

/** Waits for GTK's save dialog, types `file` into its name field and presses Enter. */
async function answerSaveDialog(file, screenshot) {
  const dialog = await waitFor(() => {
    try {
      return onDisplay('xdotool', ['search', '--onlyvisible', '--name', '^Save File$']).split('\n')[0];
    } catch {
      return null; // xdotool exits 1 while no window matches
    }
  }, 'the save dialog', 20000);
  onDisplay('xdotool', ['windowfocus', '--sync', dialog]);
  onDisplay('xdotool', ['key', 'ctrl+a']);
  onDisplay('xdotool', ['type', '--delay', '20', file]);
  // The whole screen, dialog and all: the webview's own screenshot does not show other windows.
  onDisplay('scrot', ['--overwrite', path.join(screenshotDir, `${screenshot}.png`)]);
  onDisplay('xdotool', ['key', 'Return']);
}

async function chartsDrawn(app) {
  await app.until(
    async () =>
      (await app.script(
        'const cards = document.querySelectorAll("[data-testid=chart-card]").length;' +
          'return cards > 0 && document.querySelectorAll("[data-testid=chart-image]").length === cards',
      )) === true,
    'every chart drawn',
    120000,
  );
}

test('a chart is saved from the Charts page through the save dialog, as PNG and as SVG', async () => {
  const app = await harness.session({ view: null });
  try {
    await app.click('[data-testid="lang-en"]');
    await app.click('[data-testid="nav-charts"]');
    await app.until(async () => (await app.text('h1')) === en.charts.title, 'the Charts page');
    await chartsDrawn(app);
    await app.screenshot('charts-page-en');

    // The Pareto chart as PNG at the page's default size, 2x: 3200 x 1800.
    const png = path.join(outDir, 'pareto-en.png');
    await app.click('[data-testid="chart-card"][data-chart="pareto"] [data-testid="save-png"]');
    await answerSaveDialog(png, 'charts-save-dialog');
    await waitFor(() => existsSync(png) && readFileSync(png).length > 0, `${png} written`, 60000);
    const bytes = readFileSync(png);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.equal(bytes.readUInt32BE(16), 3200, 'width');
    assert.equal(bytes.readUInt32BE(20), 1800, 'height');
    await app.until(
      async () => (await app.texts('[data-testid="toast"]')).some((t) => t.includes(png)),
      'the saved toast naming the file',
    );
    await app.screenshot('charts-saved-en');

    // In Chinese, the tiers chart as SVG: its title is text in the file, in Chinese.
    await app.click('[data-testid="lang-zh-CN"]');
    await app.until(async () => (await app.text('h1')) === zh.charts.title, 'the Charts page in Chinese');
    await chartsDrawn(app);
    const svg = path.join(outDir, 'tiers-zh.svg');
    await app.click('[data-testid="chart-card"][data-chart="tiers"] [data-testid="save-svg"]');
    await answerSaveDialog(svg, 'charts-save-dialog-zh');
    await waitFor(() => existsSync(svg) && readFileSync(svg, 'utf8').includes('</svg>'), `${svg} written`, 60000);
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /^<svg[^>]*width="1600"[^>]*height="900"/, 'a 1600 x 900 SVG');
    assert.match(text, /[\u4e00-\u9fff]{2,}/, 'Chinese text in the SVG');
    await app.until(
      async () => (await app.texts('[data-testid="toast"]')).some((t) => t.includes(svg)),
      'the saved toast in Chinese',
    );
    await app.screenshot('charts-saved-zh');
  } finally {
    await app.close();
  }
});
