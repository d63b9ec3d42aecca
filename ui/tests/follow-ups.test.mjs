// Follow-ups in Chromium against the fake backend: the agenda (buckets, owner picker, the
// actions on a row), the interaction form that answers a follow-up and schedules the next,
// and the follow-ups on a customer's profile. The clock is fixed at Wednesday 4 June 2025,
// 10:00 (the browser runs in UTC, so that is local time too). Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const NOW = new Date('2025-06-04T10:00:00Z');

const SEED = {
  customers: [
    { id: 1, name: '华东精密仪器有限公司', kind: 'company', owner: '王磊' },
    { id: 2, name: 'Acme Trading Ltd', kind: 'company', owner: 'Emma Clarke' },
    { id: 3, name: 'Blue Harbour Cafe', kind: 'company', owner: 'Emma Clarke' },
  ],
  interactions: [{ id: 1, customer_id: 2, kind: 'call', occurred_at: '2025-05-28T14:30:00', outcome: 'Wants a quote', owner: 'Emma Clarke' }],
  followUps: [
    { id: 1, customer_id: 1, due_at: '2025-06-03T15:00:00', owner: '王磊', reason: '发送报价', source: 'manual' },
    { id: 2, customer_id: 2, due_at: '2025-06-04T16:30:00', owner: 'Emma Clarke', reason: 'Send the quote', source: 'interaction', interaction_id: 1 },
    { id: 3, customer_id: 1, due_at: '2025-06-06T09:00:00', owner: '王磊', reason: null, source: 'detractor' },
    { id: 4, customer_id: 3, due_at: '2025-06-20T09:00:00', owner: 'Emma Clarke', reason: 'Ask about the summer menu' },
    { id: 5, customer_id: 2, due_at: '2025-05-30T09:00:00', owner: 'Emma Clarke', completed_at: '2025-05-30T03:00:00.000Z' },
  ],
};

const open = useApp({ before, after, afterEach });
const text = async (locator) => (await locator.textContent()).replace(/[\u00a0\u202f]/g, ' ').trim();
const rowsIn = (page, bucket) => page.getByTestId(`agenda-${bucket}`).getByTestId('follow-up');
const row = (page, id) => page.locator(`[data-testid="follow-up"][data-id="${id}"]`);

async function openAgenda(options = {}) {
  const page = await open({ seed: SEED, now: NOW, ...options });
  await page.getByTestId('nav-agenda').click();
  await page.getByTestId('agenda-overdue').or(page.getByTestId('agenda-empty')).waitFor();
  return page;
}

async function counts(page) {
  const out = {};
  for (const b of ['overdue', 'today', 'this_week', 'later']) out[b] = Number(await text(page.getByTestId(`agenda-${b}-count`)));
  return out;
}

describe('agenda', () => {
  test('four sections with counts, each row with its customer, due time and source; overdue in red', async () => {
    const page = await openAgenda();
    assert.deepEqual(await counts(page), { overdue: 1, today: 1, this_week: 1, later: 1 });
    assert.equal(await text(page.getByTestId('agenda-total')), tr(en, 'follow_ups.open_count_other', { count: 4 }));
    const overdue = rowsIn(page, 'overdue').first();
    assert.equal(await text(overdue.getByTestId('follow-up-customer')), '华东精密仪器有限公司');
    assert.equal(await text(overdue.getByTestId('follow-up-due')), 'Jun 3, 2025 3:00 PM');
    assert.equal(await overdue.getByTestId('follow-up-due').evaluate((e) => getComputedStyle(e).color), 'rgb(198, 40, 40)');
    assert.equal(await text(overdue.getByTestId('follow-up-reason')), '发送报价');
    assert.equal(await text(overdue.getByTestId('follow-up-source')), en.follow_ups.source.manual);
    const today = rowsIn(page, 'today').first();
    assert.equal(await text(today.getByTestId('follow-up-due')), 'Jun 4, 2025 4:30 PM');
    assert.notEqual(await today.getByTestId('follow-up-due').evaluate((e) => getComputedStyle(e).color), 'rgb(198, 40, 40)');
    assert.equal(await text(today.getByTestId('follow-up-source')), en.follow_ups.source.interaction);
    assert.equal(await text(rowsIn(page, 'this_week').first().getByTestId('follow-up-source')), en.follow_ups.source.detractor);
    assert.equal(await text(rowsIn(page, 'later').first().getByTestId('follow-up-customer')), 'Blue Harbour Cafe');
    await shoot(page, 'agenda-en');

    // The customer opens their profile, with the open follow-ups on it.
    await overdue.getByTestId('follow-up-customer').click();
    await page.getByTestId('profile-name').filter({ hasText: '华东精密仪器有限公司' }).waitFor();
    await page.getByTestId('open-follow-ups').getByTestId('follow-up').nth(1).waitFor();
    assert.equal(await page.getByTestId('open-follow-ups').getByTestId('follow-up').count(), 2);
  });

  test('the owner picker shows one owner or everyone, and is remembered', async () => {
    const page = await openAgenda();
    const picker = page.getByTestId('agenda-owner');
    assert.deepEqual(await picker.locator('option').allTextContents(), [en.follow_ups.everyone, 'Emma Clarke', '王磊']);
    await picker.selectOption('Emma Clarke');
    await page.waitForFunction(() => document.querySelector('[data-testid="agenda-overdue-count"]')?.textContent.trim() === '0');
    assert.deepEqual(await counts(page), { overdue: 0, today: 1, this_week: 0, later: 1 });
    const asked = (await ipcCalls(page, 'follow_up_agenda')).at(-1).args.query;
    assert.equal(asked.owner, 'Emma Clarke');
    // Away and back: still Emma's.
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('nav-agenda').click();
    await page.getByTestId('agenda-today').waitFor();
    assert.equal(await picker.inputValue(), 'Emma Clarke');
    assert.deepEqual(await counts(page), { overdue: 0, today: 1, this_week: 0, later: 1 });
    await picker.selectOption('');
    await page.waitForFunction(() => document.querySelector('[data-testid="agenda-overdue-count"]')?.textContent.trim() === '1');
    assert.equal(await page.evaluate(() => localStorage.getItem('headtail.agenda.owner')), null);
  });

  test('complete, snooze and reschedule move a follow-up; a past time is refused with a clear message', async () => {
    const page = await openAgenda();
    // Complete: it leaves the agenda.
    await row(page, 1).getByTestId('complete-follow-up').click();
    await page.getByTestId('toast').filter({ hasText: en.follow_ups.completed_toast }).waitFor();
    await page.getByTestId('agenda-overdue-none').waitFor();
    assert.deepEqual((await ipcCalls(page, 'complete_follow_up')).map((c) => c.args), [{ id: 1 }]);

    // Snooze today's to tomorrow: it moves to this week.
    await row(page, 2).getByTestId('snooze-follow-up').click();
    assert.deepEqual(
      await row(page, 2).getByTestId('snooze-menu').getByRole('button').allTextContents(),
      [en.follow_ups.snooze.one_hour, en.follow_ups.snooze.tomorrow, en.follow_ups.snooze.next_week],
    );
    await row(page, 2).getByTestId('snooze-tomorrow').click();
    await rowsIn(page, 'this_week').filter({ hasText: 'Acme Trading Ltd' }).waitFor();
    assert.equal(await text(row(page, 2).getByTestId('follow-up-due')), 'Jun 5, 2025 9:00 AM');
    assert.deepEqual((await ipcCalls(page, 'snooze_follow_up')).at(-1).args, { id: 2, by: 'tomorrow' });

    // Reschedule: the picker starts no earlier than now; a typed past time is refused.
    await row(page, 3).getByTestId('reschedule-follow-up').click();
    const due = row(page, 3).getByTestId('reschedule-due');
    assert.equal(await due.getAttribute('min'), '2025-06-04T10:00');
    await due.fill('2025-06-01T09:00');
    await row(page, 3).getByTestId('save-reschedule').click();
    const error = row(page, 3).getByTestId('follow-up-error');
    await error.waitFor();
    assert.equal(await text(error), en.validation.in_past);
    assert.notEqual(await text(error), en.validation.out_of_range);
    assert.equal(await due.getAttribute('aria-invalid'), 'true');
    await due.fill('2025-06-18T14:00');
    await row(page, 3).getByTestId('save-reschedule').click();
    await rowsIn(page, 'later').filter({ hasText: 'Jun 18, 2025' }).waitFor();
    assert.deepEqual((await ipcCalls(page, 'reschedule_follow_up')).at(-1).args, { id: 3, dueAt: '2025-06-18T14:00:00' });
    assert.deepEqual(await counts(page), { overdue: 0, today: 0, this_week: 1, later: 2 });
  });

  test('log interaction from a row preselects that follow-up, completes it and schedules the next', async () => {
    const page = await openAgenda();
    await row(page, 3).getByTestId('log-follow-up').click();
    await page.getByTestId('interaction-form').waitFor();
    const answers = page.locator('#interaction-answers_follow_up');
    await page.waitForFunction(() => document.querySelector('#interaction-answers_follow_up')?.value === '3');
    assert.equal(await answers.locator('option').count(), 3, 'none and the two open ones of the customer');
    const next = page.locator('#interaction-next_follow_up_at');
    assert.equal(await next.getAttribute('min'), '2025-06-04T10:00', 'the picker offers no past time');

    await page.locator('#interaction-outcome').fill('Quote accepted');
    await next.fill('2025-06-02T09:00');
    await page.getByTestId('save-interaction').click();
    const error = page.locator('#interaction-next_follow_up_at-error');
    await error.waitFor();
    assert.equal(await text(error), en.validation.in_past);
    assert.equal(await text(row(page, 3).getByTestId('follow-up-due')), 'Jun 6, 2025 9:00 AM', 'nothing changed');

    await next.fill('2025-06-11T10:30');
    await page.locator('#interaction-next_follow_up_reason').fill('Deliver the samples');
    await page.getByTestId('save-interaction').click();
    await page.getByTestId('interaction-form').waitFor({ state: 'detached' });
    const sent = (await ipcCalls(page, 'create_interaction')).at(-1).args.input;
    assert.deepEqual(
      [sent.customer_id, sent.answers_follow_up, sent.next_follow_up_at, sent.next_follow_up_reason],
      [1, 3, '2025-06-11T10:30:00', 'Deliver the samples'],
    );
    await page
      .getByTestId('toast')
      .filter({ hasText: tr(en, 'interaction_form.logged_completed', { kind: en.interaction_kind.call, name: '华东精密仪器有限公司' }) })
      .waitFor();
    await page.getByTestId('agenda-this_week-none').waitFor();
    const scheduled = rowsIn(page, 'later').filter({ hasText: 'Deliver the samples' });
    await scheduled.waitFor();
    assert.equal(await text(scheduled.getByTestId('follow-up-source')), en.follow_ups.source.interaction);
    assert.equal(await text(scheduled.getByTestId('follow-up-owner')), '王磊', "the customer's owner");
  });

  test('in Chinese', async () => {
    const page = await openAgenda({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    assert.equal(await text(page.locator('#agenda-title')), zh.follow_ups.agenda_title);
    assert.equal(await text(page.locator('#agenda-overdue-title')).then((s) => s.replace(/\d+$/, '').trim()), zh.follow_ups.bucket.overdue);
    assert.equal(await text(row(page, 1).getByTestId('complete-follow-up')), zh.follow_ups.complete);
    assert.equal(await text(row(page, 1).getByTestId('follow-up-source')), zh.follow_ups.source.manual);
    await row(page, 1).getByTestId('reschedule-follow-up').click();
    await row(page, 1).getByTestId('reschedule-due').fill('2025-06-03T09:00');
    await row(page, 1).getByTestId('save-reschedule').click();
    await row(page, 1).getByTestId('follow-up-error').waitFor();
    assert.equal(await text(row(page, 1).getByTestId('follow-up-error')), zh.validation.in_past);
    await shoot(page, 'agenda-zh-CN');
  });

  test('empty, loading and error states', async () => {
    const page = await open({ seed: { customers: SEED.customers }, now: NOW });
    await page.getByTestId('nav-agenda').click();
    await page.getByTestId('agenda-empty').waitFor();
    assert.equal(await text(page.getByTestId('agenda-empty').locator('h2')), en.follow_ups.empty_title);

    // Loading: the counts are held back until released.
    await page.getByTestId('nav-customers').click();
    await page.evaluate(() => {
      const inner = window.__TAURI_INTERNALS__.invoke;
      window.__TAURI_INTERNALS__.invoke = (cmd, args, options) =>
        cmd === 'follow_up_counts'
          ? new Promise((resolve) => {
              window.__releaseCounts = () => {
                window.__TAURI_INTERNALS__.invoke = inner;
                resolve(inner(cmd, args, options));
              };
            })
          : inner(cmd, args, options);
    });
    await page.getByTestId('nav-agenda').click();
    await page.getByTestId('agenda').getByText(en.common.loading).waitFor();
    await page.evaluate(() => window.__releaseCounts());
    await page.getByTestId('agenda-empty').waitFor();

    // An error, then a retry that works.
    await page.getByTestId('nav-customers').click();
    await page.evaluate(() =>
      window.__fake.failNext('follow_up_agenda', { code: 'io', message: 'disk full', details: { fields: [], params: {} } }),
    );
    await page.getByTestId('nav-agenda').click();
    const banner = page.getByTestId('agenda').getByRole('alert');
    await banner.waitFor();
    assert.match(await text(banner), new RegExp(en.error.io.slice(0, 12)));
    await banner.getByRole('button', { name: en.common.retry }).click();
    await page.getByTestId('agenda-empty').waitFor();
  });
});

describe('profile follow-ups', () => {
  test('open follow-ups with their actions, scheduling one by hand, and the timeline shows them', async () => {
    const page = await open({ seed: SEED, now: NOW });
    await page.getByTestId('customer-row').filter({ hasText: 'Acme Trading Ltd' }).click();
    await page.getByTestId('profile-name').filter({ hasText: 'Acme Trading Ltd' }).waitFor();
    const section = page.getByTestId('profile-follow-ups');
    await section.getByTestId('follow-up').first().waitFor();
    assert.equal(await section.getByTestId('open-follow-ups').getByTestId('follow-up').count(), 1);
    assert.equal(await text(section.getByTestId('follow-up-count')), '1');

    // Scheduling by hand: a past time is refused, a later one is added.
    await section.getByTestId('schedule-follow-up').click();
    await page.getByTestId('follow-up-form').waitFor();
    const due = page.locator('#follow-up-due_at');
    assert.equal(await due.getAttribute('min'), '2025-06-04T10:00');
    assert.equal(await due.inputValue(), '2025-06-05T09:00', 'nine tomorrow by default');
    await due.fill('2025-06-04T09:59');
    await page.getByTestId('save-follow-up').click();
    await page.locator('#follow-up-due_at-error').waitFor();
    assert.equal(await text(page.locator('#follow-up-due_at-error')), en.validation.in_past);
    await due.fill('2025-06-09T11:00');
    await page.locator('#follow-up-reason').fill('Confirm the delivery date');
    await page.getByTestId('save-follow-up').click();
    await page.getByTestId('follow-up-form').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="open-follow-ups"] [data-testid="follow-up"]').length === 2);
    const timeline = page.locator('[data-testid="timeline-entry"][data-kind="follow_up_scheduled"]');
    await timeline.filter({ hasText: 'Confirm the delivery date' }).waitFor();

    // Log interaction from the profile preselects the earliest open follow-up.
    await page.getByTestId('log-interaction').click();
    await page.waitForFunction(() => document.querySelector('#interaction-answers_follow_up')?.value === '2');
    await page.getByTestId('save-interaction').click();
    await page.getByTestId('interaction-form').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="open-follow-ups"] [data-testid="follow-up"]').length === 1);
    await page.locator('[data-testid="timeline-entry"][data-kind="follow_up_completed"]').first().waitFor();

    // Recently completed ones can be reopened.
    await section.getByTestId('completed-follow-ups-toggle').click();
    await section.getByTestId('completed-follow-ups').getByTestId('reopen-follow-up').first().click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="open-follow-ups"] [data-testid="follow-up"]').length === 2);
    await shoot(page, 'profile-follow-ups-en');
  });
});

describe('profile follow-ups states', () => {
  test('none open, and a failed load with a retry, in Chinese', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN', now: NOW });
    await page.evaluate(() =>
      window.__fake.failNext('customer_follow_ups', { code: 'io', message: 'disk full', details: { fields: [], params: {} } }),
    );
    await page.getByTestId('customer-row').filter({ hasText: 'Blue Harbour Cafe' }).click();
    const section = page.getByTestId('profile-follow-ups');
    const banner = section.getByRole('alert');
    await banner.waitFor();
    await banner.getByRole('button', { name: zh.common.retry }).click();
    await section.getByTestId('follow-up').first().waitFor();
    assert.equal(await text(section.locator('#follow-ups-title')).then((s) => s.replace(/\d+$/, '').trim()), zh.follow_ups.title);
    await section.getByTestId('complete-follow-up').click();
    await section.getByTestId('follow-ups-empty').waitFor();
    assert.equal(await text(section.getByTestId('follow-ups-empty')), zh.follow_ups.none_open);
    await page.getByTestId('toast').filter({ hasText: zh.follow_ups.completed_toast }).waitFor();
  });
});
