// End to end on the real binary: a database filled by `headtail demo`, evaluated from the
// Segments page in the background, a tier's members listed, and one member's reasons shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Harness, root } from './webdriver.mjs';

const en = JSON.parse(readFileSync(path.join(root, 'ui', 'src', 'locales', 'en.json'), 'utf8'));

let harness;
before(async () => {
  harness = await Harness.start();
  execFileSync(harness.binary, ['--db', harness.dbPath, 'demo', '--customers', '400', '--seed', '9'], {
    stdio: 'ignore',
  });
});
after(() => harness?.stop());

test('an evaluation runs from the Segments page and explains each customer', async () => {
  const app = await harness.session();
  try {
    await app.click('[data-testid="lang-en"]');
    await app.click('[data-testid="nav-segments"]');
    await app.click('[data-testid="run-evaluation"]');
    await app.until(async () => (await app.findAll('[data-testid="tier-row"]')).length >= 3, 'the tier table', 30000);
    assert.equal(await app.text('[data-testid="run-customers"]'), '400');
    assert.equal((await app.findAll('[data-testid="clv-purchases"]')).length, 1, 'the BG/NBD line');
    await app.screenshot('segments-overview');

    // The views reload once the run is done; click when the table has settled.
    await app.until(async () => (await app.findAll('[data-testid="evaluation-progress"]')).length === 0, 'the run done');
    await app.until(async () => {
      try {
        await app.click('[data-testid="tier-a"]');
        return true;
      } catch {
        return false;
      }
    }, 'tier A clickable');
    await app.until(async () => (await app.findAll('[data-testid="member-row"]')).length > 0, 'tier A members');
    const tiers = await app.texts('[data-testid="member-tier"]');
    assert.ok(tiers.every((tier) => tier === tiers[0]), `one tier: ${tiers}`);
    await app.screenshot('segments-members');

    await app.until(async () => {
      try {
        await app.click('[data-testid="member-row"] [data-testid="member-name"]');
        return true;
      } catch {
        return false;
      }
    }, 'a member row clickable');
    await app.until(async () => (await app.findAll('[data-testid="standing-reason"]')).length > 5, 'the reasons');
    const reasons = await app.texts('[data-testid="standing-reason"]');
    assert.ok(reasons.some((r) => /^R ?= ?\d/.test(r)), `an R score reason: ${reasons}`);
    assert.ok(!reasons.some((r) => r.includes('reason.') || r.includes('{{')), `all translated: ${reasons}`);
    assert.match(await app.text('[data-testid="standing-tier"]'), new RegExp(en.evaluation.tier.a.split(' ')[0]));
    await app.screenshot('customer-standing');
  } finally {
    await app.close();
  }
});
