// Hostile text in every field, in Chromium against the fake backend: script tags, event
// handlers, `javascript:` values, a 5,000-character name, control characters, a right-to-left
// override and zero-width joiners are shown as text, never run or parsed, in every view that
// shows them: the list, the profile's cards, the timeline, My day, the agenda, complaints,
// surveys, segments, the pipeline, the charts page, dialogs, toasts and the Ctrl+K palette.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const open = useApp({ before, after, afterEach });

const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '<img src=x onerror="window.__pwned=1">';
const SVG = '"><svg onload=window.__pwned=1>';
const JS = 'javascript:window.__pwned=1';
// No space to break at: the worst case for a table cell.
const LONG = 'W'.repeat(2500) + '长'.repeat(2500);
const CTRL = `ctrl:${Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')}\u007f:end`;
const RTL = '\u202eRTL override abc 王芳';
const ZWJ = 'zw\u200d\u200c\u200bj 👨\u200d👩\u200d👧 家庭店';

const NOW = '2025-06-04T10:00:00';
const CUSTOMERS = [
  {
    id: 1,
    name: SCRIPT,
    company: IMG,
    region: SVG,
    owner: IMG,
    industry: JS,
    source: SVG,
    external_id: SVG,
    // A phone a spreadsheet would read as a formula; valid, so the profile saves.
    phone: '+86 138 0000 0000',
    email: 'evil@example.cn',
    notes: `${SCRIPT}\n${IMG}`,
    needs: IMG,
    preferences: SVG,
    tags: [IMG, SVG, JS, SCRIPT],
    pipeline_stage: 'interest',
  },
  { id: 2, name: IMG, owner: SVG, company: SCRIPT, pipeline_stage: 'decision' },
  { id: 3, name: SVG, owner: SCRIPT, region: IMG, pipeline_stage: 'awareness' },
  { id: 4, name: JS, owner: JS, tags: [JS] },
  { id: 5, name: LONG, pipeline_stage: 'awareness', company: LONG, region: LONG.slice(0, 100), owner: LONG.slice(0, 100), notes: LONG, tags: [LONG.slice(0, 50)] },
  { id: 6, name: CTRL, company: CTRL, notes: CTRL, owner: CTRL },
  { id: 7, name: RTL, company: 'Normal Trading Co', region: '上海', owner: RTL },
  { id: 8, name: ZWJ, company: ZWJ, owner: ZWJ, tags: [ZWJ] },
  { id: 9, name: '普通客户 Plain', company: 'Plain Co', region: '北京', owner: '王磊' },
];

const SEED = {
  now: NOW,
  customers: CUSTOMERS,
  evaluation: true,
  contacts: [
    { customer_id: 1, name: IMG, title: SVG, phone: JS, email: 'c@example.cn', wechat: JS, notes: SCRIPT, is_primary: true },
    { customer_id: 1, name: LONG.slice(0, 200), title: CTRL },
  ],
  interactions: [
    { customer_id: 1, kind: 'call', occurred_at: '2025-06-02T10:00', outcome: IMG, notes: SVG, owner: SCRIPT },
    { customer_id: 5, kind: 'visit', occurred_at: '2025-06-01T10:00', outcome: LONG.slice(0, 200), notes: LONG },
  ],
  followUps: [
    { customer_id: 1, due_at: '2025-06-03T09:00:00', owner: IMG, reason: SCRIPT },
    { customer_id: 5, due_at: '2025-06-04T15:00:00', owner: LONG.slice(0, 100), reason: LONG.slice(0, 500) },
    { customer_id: 7, due_at: '2025-06-04T16:00:00', owner: RTL, reason: RTL },
    { customer_id: 6, due_at: '2025-06-05T09:00:00', owner: CTRL, reason: CTRL },
  ],
  complaints: [
    {
      customer_id: 1,
      opened_at: '2025-06-03T04:00:00',
      category: IMG,
      severity: 'high',
      status: 'open',
      description: SVG,
      response_due_at: '2025-06-03T08:00:00',
    },
    { customer_id: 5, opened_at: '2025-06-02T04:00:00', category: LONG.slice(0, 100), severity: 'low', status: 'open', description: LONG },
  ],
  surveys: [{ id: 1, kind: 'nps', name: IMG, question_en: SVG, question_zh: SCRIPT }],
  surveyResponses: [
    { customer_id: 2, kind: 'nps', survey_id: 1, responded_on: '2025-06-02', score: 3, comment: SVG },
    { customer_id: 6, kind: 'nps', survey_id: 1, responded_on: '2025-06-01', score: 2, comment: CTRL },
  ],
  orders: [
    {
      customer_id: 1,
      ordered_on: '2025-05-20',
      amount_minor: 123400,
      channel: 'store',
      lines: [{ product: IMG, category: SVG, quantity: 1, amount_minor: 123400 }],
    },
  ],
  loyalty: [{ customer_id: 1, occurred_on: '2025-05-20', kind: 'earn', points: 100, notes: SCRIPT }],
  serviceCosts: [{ customer_id: 1, occurred_on: '2025-05-15', minutes: 30, amount_minor: 5000, notes: IMG }],
};

async function openAt(view, { locale = 'en-US', seed = {} } = {}) {
  return open({ seed: { ...SEED, ...seed }, view, locale, now: new Date(`${NOW}Z`) });
}

/**
 * Nothing from a payload ran or became markup: no `window.__pwned`, no element a payload
 * would make (script, img with src "x", svg with onload), no inline event handler and no
 * `javascript:` link anywhere in the document.
 */
async function assertInert(page, where) {
  const found = await page.evaluate(() => ({
    pwned: window.__pwned,
    injected: [...document.querySelectorAll('script:not([src]), img[src="x"], svg[onload], iframe, object, embed, a[href^="javascript:" i]')].map(
      (e) => e.outerHTML.slice(0, 80),
    ),
    handlers: [...document.querySelectorAll('*')]
      .filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name)))
      .map((el) => el.outerHTML.slice(0, 80)),
  }));
  assert.equal(found.pwned, undefined, `${where}: a payload ran`);
  assert.deepEqual(found.injected, [], `${where}: elements made from a payload`);
  assert.deepEqual(found.handlers, [], `${where}: inline event handlers`);
}

/** Every one of `texts` is in the document's text, character for character. */
async function assertShown(page, where, texts) {
  const body = await page.evaluate(() => document.body.textContent);
  for (const text of texts) assert.ok(body.includes(text), `${where}: shows ${JSON.stringify(text.slice(0, 60))} as text`);
}

/** Nothing makes the page scroll sideways, however long a text is. */
async function assertNoSidewaysScroll(page, where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${where}: the page is ${scroll}px wide in a ${width}px window`);
}

/** No element matching `selector` is wider inside than its box: long texts wrap or are cut. */
async function assertFits(page, selector) {
  const over = await page.evaluate(
    (sel) =>
      [...document.querySelectorAll(sel)]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.getAttribute('data-testid') ?? el.className}: ${el.scrollWidth} > ${el.clientWidth}`),
    selector,
  );
  assert.deepEqual(over, [], `${selector} fits its box`);
}

/**
 * The words `after` of the element's text, which follow a name with a right-to-left
 * override, still read left to right: their first letter is left of their last.
 */
async function assertReadsLeftToRight(locator, after) {
  const order = await locator.evaluate((el, words) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(words);
      if (at < 0) continue;
      const x = (i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().left;
      };
      return { first: x(at), last: x(at + words.length - 1) };
    }
    return null;
  }, after);
  assert.ok(order, `the text holds ${JSON.stringify(after)}`);
  assert.ok(order.first < order.last, `${JSON.stringify(after)} reads left to right after an RTL override (${order.first} < ${order.last})`);
}

const rows = (page) => page.getByTestId('customer-row');

/** Opens the customer whose name starts with `name`, by their name cell. */
async function openProfile(page, name) {
  await page
    .getByTestId('customer-name')
    .filter({ hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })
    .first()
    // Its start: the rest of a long name lies hidden under the next cells.
    .click({ position: { x: 2, y: 2 } });
  await page.getByTestId('profile-name').waitFor();
  await page.getByTestId('timeline-entry').first().or(page.getByTestId('timeline-empty')).waitFor();
}

describe('hostile text', () => {
  for (const [locale, messages, lang] of [
    ['en-US', en, 'en'],
    ['zh-CN', zh, 'zh-CN'],
  ]) {
    test(`the customer list, a saved view and the palette show every payload as text (${lang})`, async () => {
      const page = await openAt('customers', { locale });
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="customer-row"]').length === n, CUSTOMERS.length);
      await assertInert(page, 'list');
      await assertShown(page, 'list', [SCRIPT, IMG, SVG, JS, LONG, CTRL, RTL, ZWJ]);
      await assertNoSidewaysScroll(page, 'list');
      // The 5,000-character name takes one line, cut with an ellipsis.
      const long = rows(page).filter({ hasText: 'WWWW' }).getByTestId('customer-name');
      const cut = await long.evaluate((el) => ({
        overflow: getComputedStyle(el.parentElement).textOverflow,
        height: el.parentElement.getBoundingClientRect().height,
        clipped: el.parentElement.scrollWidth > el.parentElement.clientWidth,
      }));
      assert.deepEqual([cut.overflow, cut.clipped], ['ellipsis', true], 'a long name ends in an ellipsis');
      assert.ok(cut.height < 40, `a long name keeps one line (${cut.height}px)`);
      await shoot(page, `hostile-list-${lang}`);

      // A saved view named with a payload: the dialog, the toast and the menu show it as text.
      await page.getByTestId('save-view').click();
      await page.getByTestId('view-name').fill(IMG);
      await page.getByTestId('confirm-view-name').click();
      await page.getByTestId('view-name-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('toast').filter({ hasText: IMG }).waitFor();
      assert.equal(
        (await page.getByTestId('toast').filter({ hasText: IMG }).textContent()).trim(),
        tr(messages, 'segment_list.view_saved', { name: IMG }),
      );
      assert.ok((await page.getByTestId('saved-views').locator('option').allTextContents()).includes(IMG));
      await assertInert(page, 'saved view');

      // Ctrl+K finds the payloads by their words and lists them as text.
      await page.keyboard.press('Control+k');
      await page.getByTestId('palette-input').fill('pwned');
      await page.getByTestId('palette-option').filter({ hasText: SCRIPT }).first().waitFor();
      const options = await page.getByTestId('palette-option').allTextContents();
      for (const name of [SCRIPT, IMG, SVG, JS]) assert.ok(options.some((o) => o.includes(name)), `the palette lists ${name}`);
      await assertInert(page, 'palette');
      await shoot(page, `hostile-palette-${lang}`);
      await page.keyboard.press('Escape');
    });
  }

  for (const [lang, messages] of [
    ['en', en],
    ['zh-CN', zh],
  ]) {
    test(`a form refuses a control character with the field's error, and keeps a payload as typed (${lang})`, async () => {
      const page = await openAt('customers', { seed: { language: lang } });
      await rows(page).first().waitFor();
      await page.getByTestId('new-customer').click();
      await page.locator('#customer-name').fill('bell\u0007name');
      await page.locator('#customer-notes').fill(`${SCRIPT}\n\tindented`);
      await page.getByTestId('save-customer').click();
      await page.locator('#customer-name-error').waitFor();
      assert.equal(await page.locator('#customer-name-error').textContent(), messages.validation.control_character);
      assert.equal(await page.locator('#customer-notes-error').count(), 0, 'tabs and line breaks are fine');
      await page.locator('#customer-name').fill(IMG);
      await page.getByTestId('save-customer').click();
      await page.getByTestId('customer-form').waitFor({ state: 'detached' });
      const created = (await ipcCalls(page, 'create_customer')).at(-1).args.input;
      assert.deepEqual([created.name, created.notes], [IMG, `${SCRIPT}\n\tindented`], 'sent exactly as typed');
      const toast = page.getByTestId('toast').filter({ hasText: IMG });
      await toast.waitFor();
      assert.equal((await toast.textContent()).includes(tr(messages, 'toast.created', { name: IMG })), true);
      await assertInert(page, 'new customer');
    });
  }

  test('the profile shows every card, the timeline, a confirm dialog and a toast inert', async () => {
    const page = await openAt('customers');
    await openProfile(page, SCRIPT);
    await page.getByTestId('contact').first().waitFor();
    const text = async (id) => (await page.getByTestId(id).first().textContent()).trim();
    assert.equal(await text('profile-name'), SCRIPT);
    assert.equal(await text('profile-owner'), IMG);
    assert.equal(await text('profile-region'), SVG);
    assert.equal(await text('profile-industry'), JS);
    assert.equal(await text('profile-external_id'), SVG);
    assert.deepEqual((await page.getByTestId('profile-tag').allTextContents()).sort(), [...CUSTOMERS[0].tags].sort());
    assert.equal(await text('contact-name'), IMG);
    assert.equal(await text('contact-title'), SVG);
    assert.equal(await text('contact-wechat'), JS);
    await assertShown(page, 'profile', [IMG, SVG, SCRIPT, JS, `${SCRIPT}\n${IMG}`, CTRL]);
    // The timeline: the call's outcome and notes, the order's product, the complaint.
    const timeline = (await page.getByTestId('timeline-entry').allTextContents()).join('\n');
    for (const shown of [IMG, SVG]) assert.ok(timeline.includes(shown), `the timeline shows ${shown} as text`);
    await assertInert(page, 'profile');
    await assertNoSidewaysScroll(page, 'profile');
    await shoot(page, 'hostile-profile');

    // The confirm dialog names the contact as text.
    await page.getByTestId('contact').filter({ hasText: IMG }).getByTestId('delete-contact').click();
    const dialog = page.getByTestId('delete-contact-dialog');
    await dialog.waitFor();
    assert.ok((await dialog.textContent()).includes(tr(en, 'contacts.delete_title', { name: IMG })));
    await assertInert(page, 'confirm dialog');
    await page.getByTestId('delete-contact-dialog-cancel').click();

    // Saving the profile: the toast names the customer as text.
    await page.getByTestId('edit-customer').click();
    await page.getByTestId('save-customer').click();
    await page.getByTestId('toast').filter({ hasText: SCRIPT }).waitFor();
    await assertInert(page, 'toast');
    assert.equal((await ipcCalls(page, 'update_customer')).length, 1);
  });

  test('a 5,000-character name, control characters and zero-width joiners keep the profile in shape', async () => {
    const page = await openAt('customers');
    await openProfile(page, 'WWWW');
    await assertInert(page, 'long profile');
    await assertShown(page, 'long profile', [LONG]);
    await assertNoSidewaysScroll(page, 'long profile');
    const title = await page.getByTestId('profile-name').evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(title < 200, `the long name wraps into a few lines at most (${title}px)`);
    await shoot(page, 'hostile-profile-long');
    for (const name of [CTRL, ZWJ]) {
      await page.getByTestId('back-to-list').click();
      await openProfile(page, name);
      assert.equal((await page.getByTestId('profile-name').textContent()).trim(), name);
      await assertInert(page, 'profile');
    }
    await shoot(page, 'hostile-profile-zwj');
  });

  test('a right-to-left override in a name does not turn the rest of a sentence around', async () => {
    const page = await openAt('customers');
    const row = rows(page).filter({ hasText: 'Normal Trading Co' });
    await row.waitFor();
    assert.equal(await row.locator('.avatar').textContent(), 'R', 'the initial skips the invisible override');
    await shoot(page, 'hostile-list-rtl');
    await openProfile(page, RTL);
    await page.getByTestId('edit-customer').click();
    await page.getByTestId('delete-customer').click();
    const toast = page.getByTestId('toast').filter({ hasText: 'RTL override' });
    await toast.waitFor();
    assert.ok((await toast.textContent()).includes(RTL), 'the toast holds the name as typed');
    await assertReadsLeftToRight(toast, 'to the trash');
    await assertInert(page, 'rtl toast');
    await shoot(page, 'hostile-toast-rtl');
  });

  test('My day and the agenda show reasons, owners and names as text', async () => {
    const page = await openAt('my-day');
    await page.getByTestId('my-day-section-overdue_follow_ups').waitFor();
    await assertInert(page, 'my day');
    await assertShown(page, 'my day', [SCRIPT, IMG, SVG, LONG.slice(0, 500), RTL]);
    const owners = await page.getByTestId('my-day-owner').locator('option').allTextContents();
    for (const owner of [IMG, SVG, SCRIPT, RTL]) assert.ok(owners.includes(owner), `the owner picker lists ${owner}`);
    await assertNoSidewaysScroll(page, 'my day');
    await assertFits(page, '[data-testid="my-day-item"], .page-header, header');
    const picker = await page.getByTestId('my-day-owner').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(picker <= 240, `a long owner's name does not widen the picker (${picker}px)`);
    await shoot(page, 'hostile-my-day');

    await page.getByTestId('nav-agenda').click();
    await page.getByTestId('agenda').waitFor();
    await page.getByTestId('agenda').filter({ hasText: SCRIPT }).waitFor();
    await assertInert(page, 'agenda');
    await assertShown(page, 'agenda', [SCRIPT, IMG, CTRL, RTL]);
    await assertNoSidewaysScroll(page, 'agenda');
    await assertFits(page, '[data-testid="follow-up"], [data-testid="agenda"] .card');
    await shoot(page, 'hostile-agenda');
  });

  test('complaints, surveys, segments, the pipeline and the charts page stay inert', async () => {
    const page = await openAt('complaints');
    // A lost prospect with a hostile reason, as the pipeline's form would save it.
    await page.evaluate(
      (reason) => window.__TAURI_INTERNALS__.invoke('move_prospect', { input: { customer_id: 3, to_stage: 'lost', lost_reason: reason } }),
      IMG,
    );
    await page.getByTestId('complaint-row').first().waitFor();
    await assertInert(page, 'complaints');
    await assertShown(page, 'complaints', [IMG, SCRIPT, LONG.slice(0, 100)]);
    await assertNoSidewaysScroll(page, 'complaints');
    await shoot(page, 'hostile-complaints');

    await page.getByTestId('nav-surveys').click();
    await page.getByTestId('survey-row').first().waitFor();
    assert.equal((await page.getByTestId('survey-name').first().textContent()).trim(), IMG);
    await assertInert(page, 'surveys');
    await page.getByTestId('survey-row').first().click();
    await page.getByTestId('survey-results').waitFor();
    await assertInert(page, 'survey results');
    await assertShown(page, 'survey results', [IMG, SVG]);

    await page.getByTestId('nav-segments').click();
    await page.getByTestId('tier-table').waitFor();
    await assertInert(page, 'segments');
    await page.getByTestId('tier-a').click();
    await page.getByTestId('member-row').first().waitFor();
    await assertInert(page, 'segment members');
    await assertNoSidewaysScroll(page, 'segment members');
    await shoot(page, 'hostile-segments');

    await page.getByTestId('nav-pipeline').click();
    await page.getByTestId('pipeline-board').waitFor();
    await page.getByTestId('pipeline-card-1').waitFor();
    await assertInert(page, 'pipeline');
    await assertShown(page, 'pipeline', [SCRIPT, IMG]);
    assert.ok((await page.getByTestId('pipeline-column-lost').textContent()).includes(SVG), 'the lost prospect is listed');
    await assertNoSidewaysScroll(page, 'pipeline');
    await assertFits(page, '.card-open');
    await shoot(page, 'hostile-pipeline');

    await page.getByTestId('nav-charts').click();
    await page.getByTestId('chart-owner').waitFor();
    const owners = await page.getByTestId('chart-owner').locator('option').allTextContents();
    for (const owner of [IMG, SVG, SCRIPT, JS]) assert.ok(owners.includes(owner), `the chart owner filter lists ${owner}`);
    const picker = await page.getByTestId('chart-owner').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(picker <= 240, `a long owner's name does not widen the filter (${picker}px)`);
    await page.getByTestId('chart-image').first().waitFor();
    await assertInert(page, 'charts');
    await shoot(page, 'hostile-charts');
  });
});
