// Satisfaction surveys in Chromium against the fake backend: the survey list and its form,
// the results of a survey, the customers due a survey, and recording an answer on a profile
// (a detractor's answer says the follow-up it created). Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim();

// Customer i (in id order) gets the fake evaluation's template i: tiers A, A, B, B, C, C, D, C;
// 1-5 active, 6 and 8 dormant, 7 churned; only 3 had answered a survey at the evaluation.
const CUSTOMERS = [
  { id: 1, name: '杭州云帆科技有限公司', kind: 'company', owner: '王磊' },
  { id: 2, name: 'Acme Trading Ltd', kind: 'company', owner: 'Emma Clarke' },
  { id: 3, name: '张伟', kind: 'person', owner: '王磊' },
  { id: 4, name: '深圳华强电子贸易有限公司', kind: 'company', company: '深圳华强电子贸易有限公司', owner: '陈静' },
  { id: 5, name: 'Blue Harbor Foods', kind: 'company' },
  { id: 6, name: '李娜', kind: 'person', owner: '陈静' },
  { id: 7, name: '成都小雨文具店', kind: 'company', owner: '王磊' },
  { id: 8, name: 'Northwind Supplies', kind: 'company', owner: 'Emma Clarke' },
];

const SURVEYS = [
  {
    id: 1,
    kind: 'nps',
    name: '年度 NPS 调查',
    question_zh: '您向朋友推荐我们的可能性有多大？',
    question_en: 'How likely are you to recommend us to a friend?',
  },
  { id: 2, kind: 'csat', name: '订单满意度', question_zh: '您对这次订单满意吗？', question_en: 'How satisfied are you with this order?' },
  { id: 3, kind: 'ces', name: '售后服务体验', question_zh: '处理您的问题很容易。', question_en: null, active: false },
];

// Ten NPS answers: promoters 10, 10, 9, 9; passives 8, 7; detractors 6, 5, 0, 6: NPS 0.
const nps = (customer_id, score, responded_on) => ({ customer_id, kind: 'nps', survey_id: 1, score, responded_on });
const ANSWERS = [
  nps(1, 10, '2025-04-02'),
  nps(1, 10, '2025-05-03'),
  nps(2, 9, '2025-04-10'),
  nps(2, 9, '2025-05-12'),
  nps(3, 8, '2024-06-01'),
  nps(3, 7, '2024-07-01'),
  nps(6, 6, '2025-05-20'),
  nps(6, 5, '2025-05-21'),
  nps(7, 0, '2025-03-01'),
  nps(8, 6, '2025-03-02'),
];

const SEED = { customers: CUSTOMERS, surveys: SURVEYS, surveyResponses: ANSWERS, evaluation: true };

async function openSurveys(seed = SEED, options = {}) {
  const page = await open({ seed, ...options });
  await page.getByTestId('nav-surveys').click();
  await page.locator('#surveys-title').waitFor();
  return page;
}

async function cells(row) {
  return (await row.locator('td').allTextContents()).map(plain);
}

describe('survey list', () => {
  test('lists each survey with its kind, question, answers and score, in English', async () => {
    const page = await openSurveys();
    const rows = page.getByTestId('survey-row');
    await rows.first().waitFor();
    assert.equal(plain(await page.getByTestId('surveys-count').textContent()), '3 surveys');
    // Active surveys first, newest first; the retired one last.
    assert.deepEqual(await cells(rows.nth(0)), ['订单满意度', 'CSAT', 'How satisfied are you with this order?', '0', '—', 'Edit']);
    assert.deepEqual(await cells(rows.nth(1)), ['年度 NPS 调查', 'NPS', 'How likely are you to recommend us to a friend?', '10', '0', 'Edit']);
    const retired = await cells(rows.nth(2));
    assert.equal(retired[0], `售后服务体验 ${en.surveys.retired}`);
    assert.equal(retired[2], '处理您的问题很容易。', 'without an English question the Chinese one shows');
    await assertNothingClipped(page);
    await shoot(page, 'surveys-list-en');
  });

  test('shows the questions in Chinese', async () => {
    const page = await openSurveys({ ...SEED, language: 'zh-CN' }, { locale: 'zh-CN' });
    const rows = page.getByTestId('survey-row');
    await rows.first().waitFor();
    assert.equal(plain(await page.getByTestId('surveys-count').textContent()), '共 3 项调查');
    assert.equal(plain(await rows.nth(1).getByTestId('survey-question').textContent()), '您向朋友推荐我们的可能性有多大？');
    assert.equal(plain(await page.getByTestId('surveys-tab-due').textContent()), zh.surveys.tab_due);
    await assertNothingClipped(page);
    await shoot(page, 'surveys-list-zh-CN');
  });

  test('without surveys it says so; a new one is created through the form, refused until named', async () => {
    const page = await openSurveys({ customers: CUSTOMERS });
    await page.getByTestId('surveys-empty').waitFor();
    await shoot(page, 'surveys-empty-en');
    await page.getByTestId('surveys-empty').getByRole('button', { name: en.surveys.new }).click();
    await page.getByTestId('survey-form').waitFor();
    await page.locator('#survey-kind').selectOption('csat');
    await page.getByTestId('save-survey').click();
    const error = page.locator('#survey-name-error');
    await error.waitFor();
    assert.equal(await error.textContent(), en.validation.required);
    await page.locator('#survey-name').fill(' 订单满意度 ');
    await page.locator('#survey-question_zh').fill('您对这次订单满意吗？');
    await page.locator('#survey-question_en').fill('How satisfied are you with this order?');
    await page.getByTestId('save-survey').click();
    await page.getByTestId('survey-form').waitFor({ state: 'detached' });
    await page.getByTestId('toast').filter({ hasText: tr(en, 'surveys.form.created', { name: '订单满意度' }) }).waitFor();
    assert.deepEqual((await ipcCalls(page, 'create_survey')).at(-1).args.input, {
      kind: 'csat',
      name: ' 订单满意度 ',
      question_zh: '您对这次订单满意吗？',
      question_en: 'How satisfied are you with this order?',
      active: true,
    });
    const row = page.getByTestId('survey-row');
    await row.waitFor();
    assert.deepEqual((await cells(row)).slice(0, 3), ['订单满意度', 'CSAT', 'How satisfied are you with this order?']);
  });

  test('an answered survey keeps its kind when edited; retiring it marks the row', async () => {
    const page = await openSurveys();
    const row = page.getByTestId('survey-row').filter({ hasText: '年度 NPS 调查' });
    await row.getByTestId('edit-survey').click();
    await page.getByTestId('survey-form').waitFor();
    assert.equal(await page.locator('#survey-kind').isDisabled(), true);
    assert.equal(plain(await page.getByTestId('survey-form').textContent()).includes(en.surveys.form.kind_fixed), true);
    assert.equal(await page.locator('#survey-question_en').inputValue(), 'How likely are you to recommend us to a friend?');
    await page.locator('#survey-question_en').fill('Would you recommend us?');
    await page.locator('#survey-active').uncheck();
    await page.getByTestId('save-survey').click();
    await page.getByTestId('survey-form').waitFor({ state: 'detached' });
    const edited = page.getByTestId('survey-row').filter({ hasText: 'Would you recommend us?' });
    await edited.getByTestId('survey-retired').waitFor();
    assert.equal((await ipcCalls(page, 'update_survey')).at(-1).args.id, 1);
  });

  test('shows loading, then an error with a retry', async () => {
    const slow = await openSurveys({ ...SEED, delays: { list_surveys: 800 } });
    await slow.getByText(en.common.loading).waitFor();
    await slow.getByTestId('survey-row').first().waitFor();
    const failure = { code: 'io', message: 'disk error', details: { fields: [], params: {} } };
    const page = await openSurveys({ ...SEED, failures: { list_surveys: [failure] } });
    const banner = page.locator('.page-banner');
    await banner.waitFor();
    await shoot(page, 'surveys-error-en');
    await banner.getByRole('button', { name: en.common.retry }).click();
    await page.getByTestId('survey-row').first().waitFor();
    assert.equal(await banner.count(), 0, 'the retry cleared the error');
  });
});

describe('survey results', () => {
  async function openResults(page, name) {
    await page.getByTestId('survey-row').filter({ hasText: name }).getByTestId('survey-name').click();
    await page.locator('#survey-results-title').filter({ hasText: name }).waitFor();
  }

  test('show the score, the answers per scale point and the groups', async () => {
    const page = await openSurveys();
    await openResults(page, '年度 NPS 调查');
    await page.getByTestId('survey-results').waitFor();
    assert.equal(plain(await page.getByTestId('results-score').textContent()), '0');
    assert.equal(plain(await page.getByTestId('results-responses').textContent()), '10');
    assert.equal(plain(await page.getByTestId('results-top-share').textContent()), '40%');
    const counts = await page.getByTestId('distribution-count').allTextContents();
    assert.deepEqual(counts.map(plain), ['1', '0', '0', '0', '0', '1', '2', '1', '1', '2', '2'], 'one bar per point 0-10');

    const groups = async (id) =>
      Promise.all(
        (await page.getByTestId(`results-by-${id}`).getByTestId('group-row').all()).map(async (r) => (await cells(r)).join(' ')),
      );
    assert.deepEqual(await groups('tier'), [
      `${en.evaluation.tier.a} 4 +100 100%`,
      `${en.evaluation.tier.b} 2 0 0%`,
      `${en.evaluation.tier.c} 3 -100 0%`,
      `${en.evaluation.tier.d} 1 -100 0%`,
    ]);
    assert.deepEqual(await groups('owner'), ['Emma Clarke 3 +33.3 66.7%', '王磊 5 +20 40%', '陈静 2 -100 0%']);
    assert.deepEqual(await groups('month'), ['Jun 2024 1 0 0%', 'Jul 2024 1 0 0%', 'Mar 2025 2 -100 0%', 'Apr 2025 2 +100 100%', 'May 2025 4 0 50%']);
    assert.equal(
      plain(await page.getByTestId('results-evaluated-on').textContent()),
      tr(en, 'surveys.results.evaluated_on', { date: 'Jun 1, 2025' }),
    );
    await assertNothingClipped(page);
    await shoot(page, 'survey-results-en');

    // April only: 10 and 9, both promoters.
    await page.getByTestId('results-from').fill('2025-04-01');
    await page.getByTestId('results-to').fill('2025-04-30');
    await page.getByTestId('results-responses').filter({ hasText: /^2$/ }).waitFor();
    assert.equal(plain(await page.getByTestId('results-score').textContent()), '+100');
    assert.deepEqual((await ipcCalls(page, 'survey_results')).at(-1).args, { id: 1, query: { from: '2025-04-01', to: '2025-04-30' } });

    // Backwards dates: the backend's field error, translated.
    await page.getByTestId('results-from').fill('2025-05-01');
    await page.locator('.page-banner').waitFor();
    await page.getByTestId('results-all-dates').click();
    await page.getByTestId('results-responses').filter({ hasText: /^10$/ }).waitFor();

    await page.getByTestId('results-back').click();
    await page.locator('#surveys-title').waitFor();
  });

  test('in Chinese, with the customers the evaluation does not hold as not evaluated', async () => {
    const seed = { ...SEED, language: 'zh-CN', evaluation: undefined };
    const page = await openSurveys(seed, { locale: 'zh-CN' });
    await openResults(page, '年度 NPS 调查');
    await page.getByTestId('survey-results').waitFor();
    assert.equal(plain(await page.getByTestId('results-not-evaluated').textContent()), zh.surveys.results.no_evaluation);
    const tier = page.getByTestId('results-by-tier').getByTestId('group-row');
    assert.deepEqual(await cells(tier.first()), [zh.surveys.results.not_evaluated, '10', '0', '40%']);
    await assertNothingClipped(page);
    await shoot(page, 'survey-results-zh-CN');
  });

  test('a survey without answers says so; loading and an error show', async () => {
    const page = await openSurveys({ ...SEED, delays: { survey_results: 800 } });
    await page.getByTestId('survey-row').filter({ hasText: '订单满意度' }).getByTestId('survey-name').click();
    await page.getByText(en.common.loading).waitFor();
    assert.equal(plain(await page.locator('#survey-results-title').textContent()), '订单满意度', 'named while it loads');
    await page.getByTestId('results-empty').waitFor();
    assert.equal(plain(await page.getByTestId('results-empty').textContent()).startsWith(en.surveys.results.empty_title), true);
    await page.evaluate(() =>
      window.__fake.failNext('survey_results', { code: 'io', message: 'disk error', details: { fields: [], params: {} } }),
    );
    await page.getByTestId('results-from').fill('2025-01-01');
    await page.locator('.page-banner').waitFor();
    await shoot(page, 'survey-results-error-en');
  });
});

describe('customers due a survey', () => {
  test('lists the active customers without a recent answer; a row opens the profile', async () => {
    const page = await openSurveys();
    await page.getByTestId('surveys-tab-due').click();
    const rows = page.getByTestId('survey-due-row');
    await rows.first().waitFor();
    // Never answered first, then 张伟, whose answers are a year old.
    assert.deepEqual(await page.getByTestId('survey-due-name').allTextContents(), ['深圳华强电子贸易有限公司', 'Blue Harbor Foods', '张伟']);
    assert.equal(plain(await page.getByTestId('survey-due-last').nth(2).textContent()), 'Jul 1, 2024');
    assert.equal(plain(await page.getByTestId('survey-due-last').first().textContent()), en.surveys.due.never);
    assert.equal(plain(await page.getByTestId('survey-due-note').textContent()), tr(en, 'surveys.due.note_other', { count: 180 }));
    await assertNothingClipped(page);
    await shoot(page, 'surveys-due-en');
    await rows.nth(2).click();
    await page.getByTestId('profile-name').filter({ hasText: '张伟' }).waitFor();
  });

  test('before any evaluation it says one is needed, in Chinese; with everyone answered it says so', async () => {
    const page = await openSurveys({ customers: CUSTOMERS, surveys: SURVEYS, language: 'zh-CN' }, { locale: 'zh-CN' });
    await page.getByTestId('surveys-tab-due').click();
    await page.getByTestId('survey-due-not-evaluated').waitFor();
    assert.equal(plain(await page.getByTestId('survey-due-not-evaluated').locator('h2').textContent()), zh.surveys.due.not_evaluated_title);
    await shoot(page, 'surveys-due-not-evaluated-zh-CN');

    const recent = [3, 4, 5].map((id) => nps(id, 9, '2025-05-30'));
    const all = await openSurveys({ ...SEED, surveyResponses: [...ANSWERS, ...recent] });
    await all.getByTestId('surveys-tab-due').click();
    await all.getByTestId('survey-due-empty').waitFor();
  });

  test('shows loading, then an error with a retry', async () => {
    const failure = { code: 'io', message: 'disk error', details: { fields: [], params: {} } };
    const page = await openSurveys({ ...SEED, delays: { survey_due: 800 }, failures: { survey_due: [failure] } });
    await page.getByTestId('surveys-tab-due').click();
    await page.getByText(en.common.loading).waitFor();
    const banner = page.locator('.page-banner');
    await banner.waitFor();
    await banner.getByRole('button', { name: en.common.retry }).click();
    await page.getByTestId('survey-due-row').first().waitFor();
  });
});

describe('recording an answer on the profile', () => {
  async function openAnswerForm(page, name) {
    await page.getByTestId('customer-row').filter({ hasText: name }).click();
    await page.getByTestId('profile-name').filter({ hasText: name }).waitFor();
    await page.getByTestId('record-survey-answer').click();
    await page.getByTestId('survey-answer-form').waitFor();
  }

  test('a detractor answer records and says the follow-up it created', async () => {
    const page = await open({ seed: SEED });
    await openAnswerForm(page, '杭州云帆科技有限公司');
    // Only active surveys are offered, the first chosen, its question and scale shown.
    const options = await page.locator('#survey-answer-survey_id option').allTextContents();
    assert.deepEqual(options, ['订单满意度 · CSAT', '年度 NPS 调查 · NPS']);
    await page.locator('#survey-answer-survey_id').selectOption('1');
    assert.equal(plain(await page.getByTestId('answer-question').textContent()), 'How likely are you to recommend us to a friend?');
    assert.equal(await page.getByTestId('answer-scale').locator('input').count(), 11, 'NPS 0-10');
    await page.getByTestId('save-survey-answer').click();
    const error = page.locator('#survey-answer-score-error');
    await error.waitFor();
    assert.equal(await error.textContent(), en.validation.required);
    await shoot(page, 'survey-answer-form-en');

    await page.getByTestId('answer-scale').getByText('3', { exact: true }).click();
    await page.locator('#survey-answer-comment').fill('响应太慢');
    await page.getByTestId('save-survey-answer').click();
    await page.getByTestId('survey-answer-form').waitFor({ state: 'detached' });
    await page
      .getByTestId('toast')
      .filter({ hasText: tr(en, 'surveys.answer.follow_up_created', { name: '杭州云帆科技有限公司', owner: '王磊' }) })
      .waitFor();
    const sent = (await ipcCalls(page, 'record_survey_answer')).at(-1).args.input;
    assert.deepEqual({ ...sent, responded_on: null }, {
      customer_id: 1,
      kind: 'nps',
      survey_id: 1,
      responded_on: null,
      score: 3,
      comment: '响应太慢',
    });
    assert.match(sent.responded_on, /^\d{4}-\d{2}-\d{2}$/, 'answered today by default');
    const followUps = await page.evaluate(() => window.__fake.db.followUps);
    assert.equal(followUps.length, 1);
    assert.equal(followUps[0].reason, '年度 NPS 调查: 3/10 — 响应太慢');
  });

  test('a satisfied answer only records, in Chinese', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' }, locale: 'zh-CN' });
    await openAnswerForm(page, 'Acme Trading Ltd');
    assert.equal(plain(await page.getByTestId('answer-question').textContent()), '您对这次订单满意吗？');
    assert.equal(await page.getByTestId('answer-scale').locator('input').count(), 5, 'CSAT 1-5');
    await page.getByTestId('answer-scale').getByText('5', { exact: true }).click();
    await assertNothingClipped(page);
    await shoot(page, 'survey-answer-form-zh-CN');
    await page.getByTestId('save-survey-answer').click();
    await page.getByTestId('toast').filter({ hasText: tr(zh, 'surveys.answer.recorded', { name: 'Acme Trading Ltd' }) }).waitFor();
    assert.equal((await page.evaluate(() => window.__fake.db.followUps)).length, 0);
  });

  test('with no active survey the form says where to make one', async () => {
    const page = await open({ seed: { customers: CUSTOMERS, surveys: [SURVEYS[2]] } });
    await openAnswerForm(page, '张伟');
    await page.getByTestId('no-active-survey').waitFor();
    assert.equal(await page.locator('#survey-answer-survey_id').isDisabled(), true);
  });
});
