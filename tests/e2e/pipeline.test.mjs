// End to end on the real binary: a prospect of the demo data moved through the pipeline by
// keyboard alone, to won, and Ctrl+K to that customer's profile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Harness, root } from './webdriver.mjs';

const en = JSON.parse(readFileSync(path.join(root, 'ui', 'src', 'locales', 'en.json'), 'utf8'));

// WebDriver key codes; a modifier stays down until NULL releases it.
const ALT = '\uE00A';
const CONTROL = '\uE009';
const RIGHT = '\uE014';
const ENTER = '\uE007';
const RELEASE = '\uE000';

let harness;
before(async () => {
  harness = await Harness.start();
  execFileSync(harness.binary, ['--db', harness.dbPath, 'demo', '--customers', '400', '--seed', '9'], {
    stdio: 'ignore',
  });
});
after(() => harness?.stop());

test('a prospect moves through the pipeline by keyboard, and Ctrl+K finds it', async () => {
  const app = await harness.session();
  try {
    await app.click('[data-testid="lang-en"]');
    await app.click('[data-testid="nav-pipeline"]');
    const first = '[data-testid="pipeline-column-awareness"] .card-open';
    await app.find(first, 20000);
    const testid = await app.script('return document.querySelector(arguments[0]).getAttribute("data-testid")', [first]);
    const id = testid.replace('pipeline-open-', '');
    const name = await app.script('return document.querySelector(arguments[0] + " .card-name").textContent.trim()', [first]);
    const wonBefore = Number(await app.text('[data-testid="pipeline-count-won"]'));
    await app.screenshot('pipeline-board');

    for (const stage of ['interest', 'decision', 'purchase', 'won']) {
      const card = await app.find(`[data-testid="pipeline-open-${id}"]`);
      await app.cmd('POST', `/element/${card}/value`, { text: `${ALT}${RIGHT}${RELEASE}` });
      await app.until(
        async () => (await app.findAll(`[data-testid="pipeline-column-${stage}"] [data-testid="pipeline-open-${id}"]`)).length === 1,
        `the card in ${stage}`,
      );
    }
    assert.equal(Number(await app.text('[data-testid="pipeline-count-won"]')), wonBefore + 1);
    const announced = await app.script('return document.querySelector(\'[data-testid="pipeline-announcement"]\').textContent.trim()');
    assert.equal(announced, en.pipeline_board.moved.replace('{{name}}', name).replace('{{stage}}', en.pipeline.won));
    await app.screenshot('pipeline-moved-by-keyboard');

    const card = await app.find(`[data-testid="pipeline-open-${id}"]`);
    await app.cmd('POST', `/element/${card}/value`, { text: `${CONTROL}k${RELEASE}` });
    await app.find('[data-testid="palette-input"]');
    await app.type('[data-testid="palette-input"]', name);
    await app.until(
      async () => (await app.texts('[data-testid="palette-option"]')).some((t) => t.includes(name)),
      'the customer in the palette',
    );
    const input = await app.find('[data-testid="palette-input"]');
    await app.cmd('POST', `/element/${input}/value`, { text: ENTER });
    await app.until(async () => (await app.findAll('[data-testid="profile-name"]')).length === 1, 'the profile');
    assert.equal(await app.text('[data-testid="profile-name"]'), name);
    await app.screenshot('palette-to-customer');
  } finally {
    await app.close();
  }
});
