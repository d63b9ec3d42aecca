// End to end on the real binary: an account manager's day on the demo business. A head
// customer found by the tier filter gets an interaction whose next follow-up is due in a
// minute: it is on My day and in the agenda. An NPS answer of 3 gives the owner a follow-up.
// Then every main view, in English and in Chinese, for the screenshots.
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
  const run = (args) => execFileSync(harness.binary, ['--db', harness.dbPath, ...args], { stdio: 'ignore' });
  run(['demo', '--customers', '300', '--seed', '11']);
  run(['evaluate']);
});
after(() => harness?.stop());

/** Sets a form control's value the way typing does, so the form's state follows. */
async function setValue(app, css, value) {
  await app.find(css);
  await app.script(
    `const el = document.querySelector(arguments[0]);
     el.value = arguments[1];
     el.dispatchEvent(new Event('input', { bubbles: true }));
     el.dispatchEvent(new Event('change', { bubbles: true }));`,
    [css, value],
  );
}

/** The local time `minutes` from now as a datetime-local value. */
async function localInputTime(app, minutes) {
  return app.script(
    `const d = new Date(Date.now() + arguments[0] * 60000);
     const p = (n) => String(n).padStart(2, '0');
     return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());`,
    [minutes],
  );
}

async function openFirstHeadCustomer(app) {
  await app.click('[data-testid="lang-en"]');
  await app.click('[data-testid="filter-tiers"]');
  await app.click('[data-testid="filter-tiers-a"]');
  await app.until(
    () =>
      app.script(`const rows = [...document.querySelectorAll('[data-testid="customer-row"]')];
                  return rows.length > 0 && rows.every((r) => r.querySelector('.tier-a'));`),
    'only tier A in the list',
  );
  await app.screenshot('list-tier-a');
  // The filter's menu closes as it opened, off the rows it covers.
  const choice = await app.find('[data-testid="filter-tiers-a"]');
  await app.cmd('POST', `/element/${choice}/value`, { text: '\uE00C' });
  await app.until(() => app.script('return document.querySelectorAll("details[open]").length === 0'), 'the tier menu closed');
  const name = (await app.texts('[data-testid="customer-row"] [data-testid="customer-name"]'))[0];
  await app.click('[data-testid="customer-row"] [data-testid="customer-name"]');
  await app.until(async () => (await app.text('[data-testid="profile-name"]')) === name, 'the profile of the first A');
  return name;
}

test('a follow-up logged for a head customer is on My day and in the agenda', async () => {
  const app = await harness.session();
  try {
    const name = await openFirstHeadCustomer(app);
    await app.click('[data-testid="log-interaction"]');
    await app.type('#interaction-outcome', 'Quarterly review booked');
    await setValue(app, '#interaction-next_follow_up_at', await localInputTime(app, 2));
    await app.type('#interaction-next_follow_up_reason', 'Send the renewal offer');
    await app.click('[data-testid="save-interaction"]');
    await app.until(
      async () => (await app.texts('[data-testid="follow-up-reason"]')).some((t) => t.includes('Send the renewal offer')),
      'the new follow-up on the profile',
    );

    await app.click('[data-testid="nav-my-day"]');
    await app.until(
      async () =>
        (await app.texts('[data-testid="my-day-section-today_follow_ups"] [data-testid="my-day-customer"]')).includes(name),
      'the customer among the follow-ups due today on My day',
      20000,
    );
    await app.screenshot('my-day-with-follow-up');

    await app.click('[data-testid="nav-agenda"]');
    await app.until(
      async () => (await app.texts('[data-testid="agenda-today"] [data-testid="follow-up-customer"]')).includes(name),
      'the customer in the agenda for today',
    );
    await app.screenshot('agenda-with-follow-up');
  } finally {
    await app.close();
  }
});

test('an NPS answer of 3 gives the customer’s owner a follow-up at once', async () => {
  const app = await harness.session();
  try {
    await openFirstHeadCustomer(app);
    const owner = (await app.text('[data-testid="profile-owner"]')).trim();
    await app.click('[data-testid="record-survey-answer"]');
    await app.until(
      () => app.script(`return document.querySelectorAll('#survey-answer-survey_id option').length > 1`),
      'the active surveys in the form',
    );
    const nps = await app.script(
      `const select = document.querySelector('#survey-answer-survey_id');
       const option = [...select.options].find((o) => o.textContent.includes('NPS'));
       return option ? option.value : null;`,
    );
    assert.ok(nps, 'the demo has an active NPS survey');
    await setValue(app, '#survey-answer-survey_id', nps);
    // The scale's radios are drawn by their labels: the label of 3 is what a person clicks.
    await app.find('[data-testid="score-3"]');
    await app.script(`document.querySelector('[data-testid="score-3"]').closest('label').click()`);
    assert.ok(await app.script(`return document.querySelector('[data-testid="score-3"]').checked`), '3 is chosen');
    await app.click('[data-testid="save-survey-answer"]');
    const detractor = en.follow_ups.source.detractor;
    await app.until(async () => {
      const sources = await app.texts('[data-testid="follow-up-source"]');
      return sources.some((s) => s.includes(detractor));
    }, 'a detractor follow-up on the profile');
    const owners = await app.texts('[data-testid="follow-up-owner"]');
    assert.ok(owner === '' || owners.some((o) => o.includes(owner)), `the follow-up is ${owner}'s: ${owners}`);
    await app.screenshot('detractor-follow-up');
  } finally {
    await app.close();
  }
});

const VIEWS = ['my-day', 'customers', 'agenda', 'complaints', 'segments', 'charts', 'surveys', 'pipeline', 'import', 'trash', 'backups'];

test('every main view shows in English and in Chinese', async () => {
  const app = await harness.session({ view: null });
  try {
    for (const lang of ['en', 'zh-CN']) {
      await app.click(`[data-testid="lang-${lang}"]`);
      await app.until(async () => (await app.script('return document.documentElement.lang')) === lang, lang);
      for (const view of VIEWS) {
        await app.click(`[data-testid="nav-${view}"]`);
        await app.until(
          async () => (await app.script('return document.querySelectorAll(".skeleton, [aria-busy=true]").length')) === 0,
          `${view} loaded`,
          20000,
        );
        if (view === 'charts') {
          // Each chart is drawn by the backend after the page shows: wait for every picture.
          await app.until(
            async () =>
              (await app.script(
                'return document.querySelectorAll("[data-testid=chart-image]").length === document.querySelectorAll("[data-testid=chart-card]").length',
              )) === true,
            'every chart drawn',
            120000,
          );
        }
        await app.screenshot(`view-${view}-${lang}`);
      }
    }
  } finally {
    await app.close();
  }
});
