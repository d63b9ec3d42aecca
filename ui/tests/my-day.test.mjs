// My day, the first page on start: its sections, the owner filter, the next steps, the
// sidebar count, and its empty, no-evaluation, loading and error states, in Chromium against
// the fake backend. Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

// Wednesday 4 June 2025, 10:00. With `evaluation: true` the latest run (1 June) puts customer
// i in the fake's template i: 1 tier A and potential head, 2 tier A, 3 tier B potential head.
const NOW = '2025-06-04T10:00:00';
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', owner: '王磊' },
  { id: 3, name: '张伟', kind: 'person', owner: '陈静' },
  { id: 4, name: '深圳华强电子贸易有限公司', owner: '王磊' },
  { id: 5, name: 'Blue Harbor Foods', owner: '陈静' },
  { id: 6, name: '李娜', kind: 'person', owner: '陈静' },
  { id: 7, name: '成都小雨文具店', owner: '王磊' },
  { id: 8, name: 'Northwind Supplies', owner: null },
];
const BUSY = {
  now: NOW,
  customers: CUSTOMERS,
  evaluation: { decisions: { 2: { lifecycle: 'at_risk' } } },
  interactions: [
    { customer_id: 1, kind: 'call', occurred_at: '2025-05-20T10:00', done: true },
    { customer_id: 2, kind: 'visit', occurred_at: '2025-04-01T15:00', done: true },
  ],
  followUps: [
    { customer_id: 4, due_at: '2025-06-03T09:00:00', owner: '王磊', reason: '报价' },
    { customer_id: 5, due_at: '2025-06-04T15:00:00', owner: '陈静' },
    { customer_id: 6, due_at: '2025-06-05T09:00:00', owner: '陈静' },
  ],
  complaints: [
    {
      customer_id: 6,
      opened_at: '2025-06-03T04:00:00',
      category: '物流',
      severity: 'high',
      status: 'open',
      response_due_at: '2025-06-03T08:00:00',
    },
  ],
  surveyResponses: [{ customer_id: 7, kind: 'nps', responded_on: '2025-06-02', score: 3, comment: '太慢' }],
};

async function openMyDay(seed, options = {}) {
  const page = await open({ seed, view: 'my-day', ...options });
  await page.locator('#my-day-title').waitFor();
  return page;
}

async function section(page, name) {
  const box = page.getByTestId(`my-day-section-${name}`);
  const names = (await box.getByTestId('my-day-customer').allTextContents()).map(plain);
  const facts = (await box.getByTestId('my-day-fact').allTextContents()).map(plain);
  const count = plain(await box.getByTestId('my-day-section-count').textContent());
  return { count, names, facts };
}

describe('my day', () => {
  test('is the first page, with every section, its count and the sidebar total', async () => {
    const page = await open({ seed: BUSY, view: 'my-day' });
    assert.equal(plain(await page.locator('h1').first().textContent()), en.my_day.title, 'the app starts on My day');
    await page.getByTestId('my-day-section-overdue_follow_ups').waitFor();
    assert.equal(plain(await page.getByTestId('my-day-count').textContent()), '7 to do');
    assert.deepEqual(await section(page, 'overdue_follow_ups'), {
      count: '1',
      names: ['深圳华强电子贸易有限公司'],
      facts: ['Due Tue, Jun 3, 2025 9:00 AM · 报价'],
    });
    assert.deepEqual(await section(page, 'today_follow_ups'), {
      count: '1',
      names: ['Blue Harbor Foods'],
      facts: ['Due Wed, Jun 4, 2025 3:00 PM'],
    });
    assert.deepEqual(await section(page, 'late_complaints'), {
      count: '1',
      names: ['李娜'],
      facts: ['物流 (high) · 26 hours past the response target'],
    });
    assert.deepEqual(await section(page, 'new_detractors'), {
      count: '1',
      names: ['成都小雨文具店'],
      facts: ['NPS survey: 3 / 10 on Jun 2, 2025 · “太慢”'],
    });
    // Customer 1 was called 15 days ago; 2 was last visited 64 days ago; 3 never.
    assert.deepEqual(await section(page, 'no_contact'), {
      count: '2',
      names: ['张伟', 'Acme Trading Ltd'],
      facts: ['Potential head · never contacted', 'A · Head · no contact for 64 days (last Apr 1, 2025)'],
    });
    const risk = await section(page, 'at_risk');
    assert.deepEqual(risk.names, ['Acme Trading Ltd']);
    assert.match(risk.facts[0], /^A · Head · at risk, last purchase 21 days ago · predicted CLV CN¥52,000\.00$/);
    assert.equal(await page.getByTestId('my-day-no-evaluation').count(), 0);
    assert.equal(await page.getByTestId('nav-badge-my-day').textContent(), '7');
    // Everyone's day names each item's owner.
    assert.match(plain(await page.getByTestId('my-day-section-overdue_follow_ups').textContent()), /王磊/);
    await assertNothingClipped(page);
    await shoot(page, 'my-day-en');
  });

  test('an item opens its customer, and its next step the form that does it', async () => {
    const page = await openMyDay(BUSY);
    const overdue = page.getByTestId('my-day-section-overdue_follow_ups');
    await overdue.waitFor();
    await overdue.getByTestId('my-day-customer').click();
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), '深圳华强电子贸易有限公司');
    assert.equal(await page.getByTestId('save-interaction').count(), 0, 'the name opens the profile alone');
    await page.getByTestId('back-to-list').click();
    await page.locator('#my-day-title').waitFor();

    const step = page.getByTestId('my-day-section-overdue_follow_ups').getByTestId('my-day-action');
    assert.equal(plain(await step.textContent()), en.my_day.step.log_interaction);
    await step.click();
    await page.getByTestId('save-interaction').waitFor();
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), '深圳华强电子贸易有限公司');
    await page.getByTestId('back-to-list').click();

    // The complaint's answer is given on the profile.
    const respond = page.getByTestId('my-day-section-late_complaints').getByTestId('my-day-action');
    assert.equal(await respond.getAttribute('data-step'), 'respond_to_complaint');
    await respond.click();
    await page.getByTestId('profile-name').waitFor();
    assert.equal(plain(await page.getByTestId('profile-name').textContent()), '李娜');
    assert.equal(await page.getByTestId('save-interaction').count(), 0);

    const steps = { no_contact: 'log_interaction', at_risk: 'schedule_follow_up', new_detractors: 'call_detractor' };
    await page.getByTestId('back-to-list').click();
    for (const [name, kind] of Object.entries(steps)) {
      const button = page.getByTestId(`my-day-section-${name}`).getByTestId('my-day-action').first();
      assert.equal(await button.getAttribute('data-step'), kind, name);
    }
  });

  test('one owner’s day, remembered after a restart', async () => {
    const page = await openMyDay(BUSY);
    await page.getByTestId('my-day-section-overdue_follow_ups').waitFor();
    const picker = page.getByTestId('my-day-owner');
    assert.deepEqual((await picker.locator('option').allTextContents()).map(plain), ['Everyone', '陈静', '王磊']);
    await picker.selectOption('陈静');
    await page.waitForFunction(() => document.querySelector('[data-testid="my-day-count"]')?.textContent?.includes('3'));
    assert.equal(await page.getByTestId('my-day-section-overdue_follow_ups').count(), 0, '王磊’s follow-up is gone');
    assert.deepEqual((await section(page, 'today_follow_ups')).names, ['Blue Harbor Foods']);
    assert.deepEqual((await section(page, 'late_complaints')).names, ['李娜']);
    assert.deepEqual((await section(page, 'no_contact')).names, ['张伟']);
    await page.waitForFunction(() => document.querySelector('[data-testid="nav-badge-my-day"]')?.textContent === '3');
    const asked = await ipcCalls(page, 'my_day');
    assert.equal(asked.at(-1).args.query.owner, '陈静');

    await page.reload();
    await page.locator('#my-day-title').waitFor();
    await page.getByTestId('my-day-section-today_follow_ups').waitFor();
    assert.equal(await page.getByTestId('my-day-owner').inputValue(), '陈静');
    assert.equal((await ipcCalls(page, 'my_day'))[0].args.query.owner, '陈静');
    assert.equal((await ipcCalls(page, 'my_day_counts'))[0].args.owner, '陈静');

    await page.getByTestId('my-day-owner').selectOption('');
    await page.waitForFunction(() => document.querySelector('[data-testid="my-day-count"]')?.textContent?.includes('7'));
    assert.equal(await page.evaluate(() => localStorage.getItem('headtail.my-day.owner')), null);
  });

  test('a long section shows more on demand', async () => {
    const followUps = Array.from({ length: 8 }, (_, i) => ({
      customer_id: (i % 8) + 1,
      due_at: `2025-06-0${(i % 3) + 1}T0${i + 1}:00:00`,
      owner: '王磊',
    }));
    const page = await openMyDay({ now: NOW, customers: CUSTOMERS, followUps });
    const box = page.getByTestId('my-day-section-overdue_follow_ups');
    await box.waitFor();
    assert.equal(await box.getByTestId('my-day-item').count(), 5);
    assert.equal(plain(await box.getByTestId('my-day-more').textContent()), 'Show 3 more');
    await box.getByTestId('my-day-more').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="my-day-section-overdue_follow_ups"] [data-testid="my-day-item"]').length === 8,
    );
    assert.equal(await box.getByTestId('my-day-more').count(), 0);
    const paged = await ipcCalls(page, 'my_day_section');
    assert.deepEqual(paged[0].args.query, { owner: null, section: 'overdue_follow_ups', offset: 5, limit: 20 });
  });

  test('coming back to the window asks again', async () => {
    const page = await openMyDay(BUSY);
    await page.getByTestId('my-day-section-overdue_follow_ups').waitFor();
    const days = (await ipcCalls(page, 'my_day')).length;
    const counts = (await ipcCalls(page, 'my_day_counts')).length;
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.waitForFunction(
      ([d, c]) =>
        window.__fake.calls.filter((x) => x.cmd === 'my_day').length > d &&
        window.__fake.calls.filter((x) => x.cmd === 'my_day_counts').length > c,
      [days, counts],
    );
  });
});

describe('my day states', () => {
  for (const [lang, messages] of [
    ['en', en],
    ['zh-CN', zh],
  ]) {
    test(`nothing due and no evaluation yet (${lang})`, async () => {
      const page = await openMyDay({ now: NOW, customers: CUSTOMERS, language: lang });
      const empty = page.getByTestId('my-day-empty');
      await empty.waitFor();
      assert.equal(plain(await empty.locator('h2').textContent()), messages.my_day.empty_title);
      assert.equal(plain(await empty.locator('p').textContent()), messages.my_day.empty_body);
      const hint = page.getByTestId('my-day-no-evaluation');
      assert.match(plain(await hint.textContent()), new RegExp(messages.my_day.no_evaluation.slice(0, 8)));
      assert.equal(await page.getByTestId('nav-badge-my-day').count(), 0, 'no badge for nothing');
      assert.equal(plain(await page.getByTestId('nav-my-day').textContent()), messages.my_day.nav);
      await shoot(page, `my-day-empty-${lang}`);
      await page.getByTestId('my-day-evaluate').click();
      await page.locator('#segments-title').waitFor();
    });
  }

  test('an evaluation without head customers to chase says nothing is due (zh-CN)', async () => {
    const page = await openMyDay({
      now: NOW,
      customers: CUSTOMERS.slice(0, 2),
      language: 'zh-CN',
      evaluation: true,
      interactions: [
        { customer_id: 1, kind: 'call', occurred_at: '2025-06-01T10:00', done: true },
        { customer_id: 2, kind: 'call', occurred_at: '2025-05-06T00:00', done: true },
      ],
    });
    await page.getByTestId('my-day-empty').waitFor();
    assert.equal(await page.getByTestId('my-day-no-evaluation').count(), 0);
    assert.equal(plain(await page.getByTestId('my-day-count').textContent()), tr(zh, 'my_day.count_other', { count: 0 }).trim());
  });

  test('the sections in Chinese', async () => {
    const page = await openMyDay({ ...BUSY, language: 'zh-CN' });
    await page.getByTestId('my-day-section-late_complaints').waitFor();
    assert.equal(plain(await page.locator('#my-day-late_complaints').textContent()), `${zh.my_day.section.late_complaints} 1`);
    assert.deepEqual((await section(page, 'late_complaints')).facts, ['物流（高）· 超过响应时限 26 小时']);
    assert.deepEqual((await section(page, 'no_contact')).facts[1], `${zh.evaluation.tier.a} · 64 天未联系（上次 2025年4月1日）`);
    assert.equal(plain(await page.getByTestId('my-day-count').textContent()), '7 项待办');
    await assertNothingClipped(page);
    await shoot(page, 'my-day-zh-CN');
  });

  test('loading, then a failure with a working retry', async () => {
    const failure = { code: 'database', message: 'disk I/O error', details: { fields: [], params: { reason: 'disk I/O error' } } };
    const page = await open({ seed: { ...BUSY, myDayDelayMs: 400, failures: { my_day: [failure] } }, view: 'my-day' });
    // The first answer fails at once; the retry is held back, so its loading line shows.
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-code'), 'database');
    assert.equal(plain(await banner.locator('.banner-message').textContent()), en.error.database);
    await banner.getByRole('button', { name: en.common.retry }).click();
    await page.getByText(en.common.loading).waitFor();
    await page.getByTestId('my-day-section-overdue_follow_ups').waitFor();
    assert.equal(await page.getByTestId('error-banner').count(), 0);
  });
});
