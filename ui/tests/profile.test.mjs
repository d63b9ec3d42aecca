// The customer profile in Chromium against the fake backend: the profile fields, contacts,
// the timeline, the quick actions (log an interaction, add an order) and erasure.
// Needs `npm run build` first.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingClipped, en, ipcCalls, shoot, tr, useApp, zh } from './helpers/browser.mjs';

const ACME = {
  id: 2,
  name: 'Acme Trading Ltd',
  kind: 'company',
  company: 'Acme Trading Ltd',
  phone: '+44 20 7946 0958',
  email: 'orders@acme-trading.co.uk',
  region: 'London',
  owner: 'Emma Clarke',
  industry: 'Wholesale',
  tags: ['export', 'vip'],
  channels: ['marketplace', 'phone_wechat'],
  size_class: 'smb',
  source: 'Trade fair 2024',
  is_kol: true,
  referred_by: 3,
  pipeline_stage: 'decision',
  external_id: 'ERP-00042',
  needs: 'Monthly restock of packaging.\nInvoices in GBP.',
  preferences: 'Prefers phone calls in the morning.',
  notes: 'Key account since 2024.',
  created_at: '2025-01-15T09:30:00.000Z',
  updated_at: '2025-04-03T14:05:00.000Z',
};

const CUSTOMERS = [
  {
    id: 1,
    name: '杭州云帆科技有限公司',
    kind: 'company',
    company: '杭州云帆科技有限公司',
    phone: '0571-8765 4321',
    region: '浙江杭州',
    owner: '王磊',
    industry: '软件',
    tags: ['重点客户', '华东'],
    channels: ['online_shop'],
    size_class: 'large',
    source: '展会',
    pipeline_stage: 'won',
    external_id: 'YF-2024-001',
    is_kol: true,
    needs: '每月采购办公设备，需要开具增值税专用发票。',
    preferences: '喜欢微信沟通，周五下午不方便接电话。',
    created_at: '2024-11-02T03:15:00.000Z',
  },
  ACME,
  { id: 3, name: '李娜', kind: 'person', company: '北京晨光文具店', phone: '138 0013 8000', region: '北京', owner: '王磊' },
  { id: 4, name: 'Maria Rossi', kind: 'person', email: 'maria.rossi@example.it', region: 'Rome', owner: 'Emma Clarke' },
];

/** One entry of every kind for Acme, and a few for 杭州云帆. */
const ACTIVITY = {
  contacts: [
    {
      id: 1,
      customer_id: 2,
      name: 'John Smith',
      title: 'Purchasing manager',
      phone: '+44 20 7946 0000',
      email: 'john@acme-trading.co.uk',
      is_primary: false,
      created_at: '2025-05-02T09:00:00.000Z',
    },
    { id: 2, customer_id: 2, name: 'Sarah Lee', title: 'Accounts', is_primary: true, created_at: '2025-05-03T09:00:00.000Z' },
    {
      id: 3,
      customer_id: 1,
      name: '赵敏',
      title: '采购经理',
      phone: '139 1234 5678',
      wechat: 'zhaomin_yf',
      is_primary: true,
      created_at: '2025-03-01T02:00:00.000Z',
    },
  ],
  orders: [
    {
      id: 1,
      customer_id: 2,
      ordered_on: '2025-05-20',
      amount_minor: 123450,
      currency: 'CNY',
      channel: 'marketplace',
      external_id: 'SO-1001',
      lines: [
        { product: 'Carton A', quantity: 10, amount_minor: 100000 },
        { product: 'Tape', quantity: 5, amount_minor: 23450 },
      ],
    },
    { id: 2, customer_id: 1, ordered_on: '2025-05-18', amount_minor: 8800000, currency: 'CNY', channel: 'online_shop', lines: [{ product: '笔记本电脑', category: '电脑', quantity: 2, amount_minor: 8800000 }] },
  ],
  interactions: [
    {
      id: 1,
      customer_id: 2,
      kind: 'call',
      occurred_at: '2025-05-28T14:30:00',
      outcome: 'Wants a quote for 500 units',
      notes: 'Call back after the board meeting.',
      owner: 'Emma Clarke',
    },
    { id: 2, customer_id: 1, kind: 'visit', occurred_at: '2025-05-26T10:00:00', outcome: '确认二季度采购计划', owner: '王磊' },
  ],
  complaints: [
    {
      id: 1,
      customer_id: 2,
      opened_at: '2025-05-10T09:00:00',
      category: 'Delivery',
      severity: 'high',
      status: 'resolved',
      description: 'Two boxes arrived damaged.',
      resolved_at: '2025-05-11T11:30:00',
    },
    { id: 2, customer_id: 1, opened_at: '2025-05-22T16:00:00', category: '发票', severity: 'medium', status: 'open', description: '发票抬头有误' },
  ],
  surveyResponses: [
    { id: 1, customer_id: 2, kind: 'nps', responded_on: '2025-05-25', score: 9, comment: 'Fast service' },
    { id: 2, customer_id: 1, kind: 'csat', responded_on: '2025-05-27', score: 4 },
  ],
  loyalty: [
    { id: 1, customer_id: 2, occurred_on: '2025-05-20', kind: 'earn', points: 1234, order_id: 1 },
    { id: 2, customer_id: 1, occurred_on: '2025-05-18', kind: 'earn', points: 8800, order_id: 2 },
  ],
  serviceCosts: [{ id: 1, customer_id: 2, occurred_on: '2025-05-15', minutes: 90, amount_minor: 15000, currency: 'CNY', notes: 'On-site repair' }],
};

const SEED = { customers: CUSTOMERS, ...ACTIVITY };

const open = useApp({ before, after, afterEach });

const rows = (page) => page.locator('[data-testid="customer-row"]');
const entries = (page) => page.getByTestId('timeline-entry');
/** Intl may use U+202F/U+00A0 as spaces; compare with plain spaces. */
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ').trim();
const money = (minor, currency, locale) =>
  new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);

async function openProfile(page, name) {
  await rows(page).filter({ hasText: name }).click();
  await page.getByTestId('profile-name').filter({ hasText: name }).waitFor();
  await entries(page).first().or(page.getByTestId('timeline-empty')).waitFor();
}

async function text(locator) {
  return plain(await locator.textContent());
}

describe('profile', () => {
  test('shows the whole profile: badges, tags, facts, needs and the referrer', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    assert.equal(await page.locator('h1').textContent(), 'Acme Trading Ltd');
    assert.equal(await text(page.getByTestId('profile-kind')), en.kind.company);
    assert.equal(await text(page.getByTestId('profile-kol')), en.profile.kol);
    assert.equal(await text(page.getByTestId('profile-stage-badge')), en.pipeline.decision);
    assert.deepEqual(await page.getByTestId('profile-tag').allTextContents(), ['export', 'vip']);
    assert.equal(await text(page.getByTestId('profile-owner')), 'Emma Clarke');
    assert.equal(await text(page.getByTestId('profile-region')), 'London');
    assert.equal(await text(page.getByTestId('profile-size_class')), en.size_class.smb);
    assert.equal(await text(page.getByTestId('profile-channels')), `${en.channel.marketplace}, ${en.channel.phone_wechat}`);
    assert.equal(await text(page.getByTestId('profile-source')), 'Trade fair 2024');
    assert.equal(await text(page.getByTestId('profile-pipeline_stage')), en.pipeline.decision);
    assert.equal(await text(page.getByTestId('profile-external_id')), 'ERP-00042');
    assert.equal(await text(page.getByTestId('profile-industry')), 'Wholesale');
    assert.equal(await text(page.getByTestId('profile-email')), 'orders@acme-trading.co.uk');
    assert.equal(await page.getByTestId('profile-needs').textContent(), 'Monthly restock of packaging.\nInvoices in GBP.');
    assert.equal(await page.getByTestId('profile-preferences').textContent(), 'Prefers phone calls in the morning.');
    assert.equal(await page.getByTestId('profile-notes').textContent(), 'Key account since 2024.');
    // Who referred the customer, by name, opens that profile.
    await page.getByTestId('profile-referred_by').getByRole('button', { name: '李娜' }).click();
    await page.getByTestId('profile-name').filter({ hasText: '李娜' }).waitFor();
    // Unset facts show a dash; a person without tags or stage has neither chips nor badge.
    assert.equal(await page.getByTestId('profile-tag').count(), 0);
    assert.equal(await page.getByTestId('profile-kol').count(), 0);
    assert.equal(await text(page.getByTestId('profile-size_class')), '—');
    await page.getByTestId('back-to-list').click();
    await rows(page).first().waitFor();
    assert.equal(await page.locator('h1').textContent(), en.customers.title);
  });

  test('the edit form shows the full profile and sends it back whole', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('edit-customer').click();
    await page.locator('#customer-name').waitFor();
    assert.equal(await page.locator('#customer-size_class').inputValue(), 'smb');
    assert.equal(await page.locator('#customer-pipeline_stage').inputValue(), 'decision');
    assert.equal(await page.locator('#customer-industry').inputValue(), 'Wholesale');
    assert.equal(await page.locator('#customer-source').inputValue(), 'Trade fair 2024');
    assert.equal(await page.locator('#customer-external_id').inputValue(), 'ERP-00042');
    assert.equal(await page.locator('#customer-needs').inputValue(), 'Monthly restock of packaging.\nInvoices in GBP.');
    assert.equal(await page.locator('#customer-preferences').inputValue(), 'Prefers phone calls in the morning.');
    assert.equal(await page.locator('#customer-is_kol').isChecked(), true);
    assert.equal(await page.locator('#customer-channel-marketplace').isChecked(), true);
    assert.equal(await page.locator('#customer-channel-store').isChecked(), false);
    assert.deepEqual(await page.getByTestId('tag-chip').allTextContents().then((t) => t.map((s) => s.trim())), ['export', 'vip']);

    // Tags: Enter adds, the chip's button removes, a comma separates, and text still being
    // typed is sent along.
    await page.locator('#customer-tags').fill('wholesale');
    await page.locator('#customer-tags').press('Enter');
    await page.getByRole('button', { name: tr(en, 'form.tag_remove', { tag: 'export' }) }).click();
    await page.locator('#customer-tags').fill('north, 华北');
    await page.locator('#customer-tags').pressSequentially('，');
    await page.locator('#customer-tags').fill('pending');
    await page.locator('#customer-channel-store').check();
    await page.locator('#customer-channel-phone_wechat').uncheck();
    await page.locator('#customer-pipeline_stage').selectOption('won');
    await page.locator('#customer-size_class').selectOption('');
    await page.locator('#customer-is_kol').uncheck();
    await page.locator('#customer-needs').fill('Quarterly restock.');
    await page.getByTestId('save-customer').click();
    await page.getByTestId('customer-form').waitFor({ state: 'detached' });

    const sent = (await ipcCalls(page, 'update_customer')).at(-1).args;
    assert.equal(sent.id, 2);
    assert.deepEqual(sent.input.tags, ['vip', 'wholesale', 'north', '华北', 'pending']);
    assert.deepEqual(sent.input.channels, ['marketplace', 'store']);
    assert.equal(sent.input.pipeline_stage, 'won');
    assert.equal(sent.input.size_class, null);
    assert.equal(sent.input.is_kol, false);
    assert.equal(sent.input.needs, 'Quarterly restock.');
    assert.equal(sent.input.referred_by, 3, 'the hidden referrer goes back unchanged');

    await page.getByTestId('profile-pipeline_stage').filter({ hasText: en.pipeline.won }).waitFor();
    assert.deepEqual(await page.getByTestId('profile-tag').allTextContents(), ['north', 'pending', 'vip', 'wholesale', '华北']);
    assert.equal(await page.getByTestId('profile-kol').count(), 0);
    assert.equal(await text(page.getByTestId('profile-channels')), `${en.channel.marketplace}, ${en.channel.store}`);
  });

  test('profile field errors from the backend show next to their fields', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Maria Rossi');
    await page.getByTestId('edit-customer').click();
    // Too many tags, and an external id another customer already has: the backend checks
    // the input first and what only the database knows after.
    await page.locator('#customer-external_id').fill('ERP-00042');
    for (let i = 0; i < 31; i++) {
      await page.locator('#customer-tags').fill(`t${i}`);
      await page.locator('#customer-tags').press('Enter');
    }
    await page.getByTestId('save-customer').click();
    await page.locator('#customer-tags-error').waitFor();
    assert.equal(await page.locator('#customer-tags-error').textContent(), tr(en, 'validation.too_many', { limit: 30 }));
    assert.equal(await page.locator('#customer-tags').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'customer-tags');
    await page.getByRole('button', { name: tr(en, 'form.tag_remove', { tag: 't30' }) }).click();
    await page.getByTestId('save-customer').click();
    await page.locator('#customer-external_id-error').waitFor();
    assert.equal(await page.locator('#customer-external_id-error').textContent(), en.validation.taken);
    assert.equal(await page.locator('#customer-tags-error').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'customer-external_id');
  });
});

describe('contacts', () => {
  test('lists the primary contact first; adding one shows a field error, then saves', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    const contacts = page.getByTestId('contact');
    await contacts.first().waitFor();
    assert.deepEqual(await page.getByTestId('contact-name').allTextContents(), ['Sarah Lee', 'John Smith']);
    assert.equal(await text(contacts.first().getByTestId('contact-primary')), en.contacts.primary);
    assert.equal(await text(page.getByTestId('contact-count')), '2');

    await page.getByTestId('add-contact').click();
    await page.locator('#contact-name').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-name');
    await page.locator('#contact-name').fill('王芳');
    await page.locator('#contact-title').fill('财务');
    await page.locator('#contact-email').fill('wangfang@@acme');
    await page.locator('#contact-wechat').fill('wangfang_88');
    await page.locator('#contact-is_primary').check();
    await page.getByTestId('save-contact').click();
    const error = page.locator('#contact-email-error');
    await error.waitFor();
    assert.equal(await error.textContent(), en.validation.invalid_email);
    assert.equal(await page.locator('#contact-email').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#contact-email').getAttribute('aria-describedby'), 'contact-email-error');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'contact-email');
    assert.equal((await ipcCalls(page, 'create_contact')).length, 1, 'the UI sends what was typed');

    // The error follows the language.
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await error.textContent(), zh.validation.invalid_email);
    assert.equal(await page.locator('label[for="contact-wechat"]').textContent(), zh.contacts.field.wechat);
    await page.getByTestId('lang-en').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');

    await page.locator('#contact-email').fill('wangfang@acme-trading.co.uk');
    await page.getByTestId('save-contact').click();
    await page.getByTestId('contact-form').waitFor({ state: 'detached' });
    const created = (await ipcCalls(page, 'create_contact')).at(-1).args.input;
    assert.deepEqual(created, {
      customer_id: 2,
      name: '王芳',
      title: '财务',
      phone: '',
      email: 'wangfang@acme-trading.co.uk',
      wechat: 'wangfang_88',
      notes: '',
      is_primary: true,
    });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="contact"]').length === 3);
    // The new primary comes first; the others in the order they were added.
    assert.deepEqual(await page.getByTestId('contact-name').allTextContents(), ['王芳', 'John Smith', 'Sarah Lee']);
    assert.equal(await page.getByTestId('contact-primary').count(), 1, 'one primary contact');
    assert.equal(await text(page.getByTestId('contact-wechat').first()), 'wangfang_88');
    await page.getByTestId('toast').filter({ hasText: tr(en, 'contacts.added', { name: '王芳' }) }).waitFor();
    // The timeline shows the new contact.
    await entries(page).filter({ hasText: tr(en, 'timeline.contact_added', { name: '王芳' }) }).waitFor();
  });

  test('edits a contact inline and deletes one after confirming', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    const john = page.getByTestId('contact').filter({ hasText: 'John Smith' });
    await john.getByTestId('edit-contact').click();
    assert.equal(await page.locator('#contact-name').inputValue(), 'John Smith');
    assert.equal(await page.locator('#contact-title').inputValue(), 'Purchasing manager');
    await page.locator('#contact-phone').fill('12012345678');
    await page.getByTestId('save-contact').click();
    await page.locator('#contact-phone-error').waitFor();
    assert.equal(await page.locator('#contact-phone-error').textContent(), en.validation.invalid_phone);
    await page.locator('#contact-phone').fill('+44 20 7946 1111');
    await page.locator('#contact-title').fill('Head of purchasing');
    await page.getByTestId('save-contact').click();
    await page.getByTestId('contact-form').waitFor({ state: 'detached' });
    const update = (await ipcCalls(page, 'update_contact')).at(-1).args;
    assert.equal(update.id, 1);
    assert.equal(update.input.phone, '+44 20 7946 1111');
    await page.getByTestId('contact-title').filter({ hasText: 'Head of purchasing' }).waitFor();

    // Delete asks first; Cancel keeps the contact.
    await page.getByTestId('contact').filter({ hasText: 'Sarah Lee' }).getByTestId('delete-contact').click();
    const dialog = page.getByTestId('delete-contact-dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Sarah Lee/);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await ipcCalls(page, 'delete_contact')).length, 0);
    await page.getByTestId('contact').filter({ hasText: 'Sarah Lee' }).getByTestId('delete-contact').click();
    await page.getByTestId('confirm-delete-contact').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="contact"]').length === 1);
    assert.deepEqual((await ipcCalls(page, 'delete_contact')).map((c) => c.args), [{ id: 2 }]);
    await page.getByTestId('toast').filter({ hasText: tr(en, 'contacts.deleted', { name: 'Sarah Lee' }) }).waitFor();
  });
});

describe('timeline', () => {
  test('shows every kind, newest first, with a translated line and Intl money and dates', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    const call = (await ipcCalls(page, 'customer_timeline')).at(-1).args;
    assert.deepEqual(call, { customerId: 2, query: { before: null, limit: 25, kinds: [], utc_offset_minutes: 0 } });
    assert.equal(await text(page.getByTestId('timeline-count')), tr(en, 'timeline.count_other', { count: 9 }));
    const kinds = await entries(page).evaluateAll((els) => els.map((e) => e.dataset.kind));
    assert.deepEqual(kinds, [
      'interaction',
      'survey_response',
      'loyalty',
      'order',
      'service_cost',
      'complaint_resolved',
      'complaint_opened',
      'contact_added',
      'contact_added',
    ]);
    const entry = (kind) => page.locator(`[data-testid="timeline-entry"][data-kind="${kind}"]`).first();
    const titleOf = async (kind) => text(entry(kind).getByTestId('timeline-title'));
    const metaOf = async (kind) => text(entry(kind).getByTestId('timeline-meta'));

    assert.equal(await titleOf('order'), plain(tr(en, 'timeline.order', { amount: money(123450, 'CNY', 'en') })));
    assert.equal(
      await metaOf('order'),
      `${tr(en, 'timeline.order_lines_other', { count: 2 })} · ${en.channel.marketplace} · ${tr(en, 'timeline.order_number', { number: 'SO-1001' })}`,
    );
    assert.equal(await titleOf('interaction'), en.interaction_kind.call);
    assert.equal(await metaOf('interaction'), 'Emma Clarke');
    assert.match(await entry('interaction').textContent(), /Wants a quote for 500 units/);
    assert.match(await entry('interaction').locator('time').textContent(), /2:30\sPM/);
    assert.equal(await titleOf('survey_response'), tr(en, 'timeline.survey_nps', { score: 9 }));
    assert.match(await entry('survey_response').textContent(), /Fast service/);
    assert.equal(await titleOf('loyalty'), tr(en, 'timeline.loyalty_earn_other', { count: '1,234' }));
    assert.equal(await titleOf('service_cost'), plain(tr(en, 'timeline.service_cost', { amount: money(15000, 'CNY', 'en') })));
    assert.equal(await metaOf('service_cost'), tr(en, 'timeline.service_minutes_other', { count: 90 }));
    assert.equal(await titleOf('complaint_opened'), tr(en, 'timeline.complaint_opened', { category: 'Delivery' }));
    assert.equal(
      await metaOf('complaint_opened'),
      `${tr(en, 'timeline.severity', { severity: en.severity.high })} · ${tr(en, 'timeline.status_now', { status: en.complaint_status.resolved })}`,
    );
    assert.equal(await titleOf('complaint_resolved'), tr(en, 'timeline.complaint_resolved', { category: 'Delivery' }));
    assert.match(await metaOf('complaint_resolved'), new RegExp(tr(en, 'timeline.resolution_hours_other', { count: '26.5' })));
    assert.equal(await titleOf('contact_added'), tr(en, 'timeline.contact_added', { name: 'Sarah Lee' }));
    assert.equal(await metaOf('contact_added'), `Accounts · ${en.contacts.primary}`);
    // Day headings with the weekday.
    assert.deepEqual((await page.locator('.day-heading').allTextContents()).slice(0, 2), ['Wed, May 28, 2025', 'Sun, May 25, 2025']);

    // The same in Chinese.
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert.equal(await titleOf('order'), plain(tr(zh, 'timeline.order', { amount: '¥1,234.50' })));
    assert.equal(await titleOf('interaction'), zh.interaction_kind.call);
    assert.equal(await titleOf('complaint_resolved'), tr(zh, 'timeline.complaint_resolved', { category: 'Delivery' }));
    assert.equal(await page.locator('.day-heading').first().textContent(), '2025年5月28日周三');
  });

  test('filter chips ask for the chosen kinds', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('timeline-filter-order').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-entry"]').length === 1);
    assert.deepEqual((await ipcCalls(page, 'customer_timeline')).at(-1).args.query.kinds, ['order']);
    assert.equal(await page.getByTestId('timeline-filter-order').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByTestId('timeline-filter-all').getAttribute('aria-pressed'), 'false');
    await page.getByTestId('timeline-filter-complaint_opened').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-entry"]').length === 2);
    assert.deepEqual((await ipcCalls(page, 'customer_timeline')).at(-1).args.query.kinds, ['order', 'complaint_opened']);
    assert.equal(await text(page.getByTestId('timeline-count')), tr(en, 'timeline.count_other', { count: 2 }));
    await page.getByTestId('timeline-filter-all').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-entry"]').length === 9);
    assert.deepEqual((await ipcCalls(page, 'customer_timeline')).at(-1).args.query.kinds, []);

    // A customer with nothing of a kind says so.
    await page.getByTestId('back-to-list').click();
    await openProfile(page, 'Maria Rossi');
    assert.equal(await text(page.getByTestId('timeline-empty')), en.timeline.empty);
    await page.getByTestId('timeline-filter-order').click();
    await page.getByTestId('timeline-empty').filter({ hasText: en.timeline.empty_filtered }).waitFor();
  });

  test('Load more pages through the timeline with the cursor', async () => {
    const interactions = Array.from({ length: 60 }, (_, i) => ({
      id: i + 1,
      customer_id: 4,
      kind: ['call', 'email', 'message'][i % 3],
      occurred_at: `2025-0${1 + Math.floor(i / 28)}-${String((i % 28) + 1).padStart(2, '0')}T09:${String(i % 60).padStart(2, '0')}:00`,
      outcome: `Touch ${i + 1}`,
    }));
    const page = await open({ seed: { ...SEED, interactions } });
    await openProfile(page, 'Maria Rossi');
    assert.equal(await entries(page).count(), 25);
    assert.equal(await text(page.getByTestId('timeline-count')), tr(en, 'timeline.count_other', { count: 60 }));
    const lastShown = await entries(page).last().textContent();
    await page.getByTestId('timeline-more').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-entry"]').length === 50);
    const calls = await ipcCalls(page, 'customer_timeline');
    const first = calls.at(-2).args.query;
    const second = calls.at(-1).args.query;
    assert.equal(first.before, null);
    assert.equal(second.before.kind, 'interaction');
    assert.match(lastShown, new RegExp(`Touch ${interactions.find((x) => x.id === second.before.id).id}\\b`));
    await page.getByTestId('timeline-more').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-entry"]').length === 60);
    assert.equal(await page.getByTestId('timeline-more').count(), 0, 'no more pages');
    // Newest first throughout, and nothing twice.
    const outcomes = await entries(page).evaluateAll((els) => els.map((e) => e.textContent.match(/Touch (\d+)/)[1]));
    assert.equal(new Set(outcomes).size, 60);
    const times = interactions.map((x) => x.occurred_at).sort().reverse();
    assert.equal(outcomes[0], String(interactions.find((x) => x.occurred_at === times[0]).id));
    assert.equal(outcomes[59], String(interactions.find((x) => x.occurred_at === times[59]).id));
  });
});

describe('quick actions', () => {
  test('Log interaction: the entry tops the timeline', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('log-interaction').click();
    await page.getByTestId('interaction-form').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'interaction-kind');
    assert.match(await page.locator('#interaction-occurred_at').inputValue(), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'starts at now');
    await page.locator('#interaction-kind').selectOption('visit');
    await page.locator('#interaction-occurred_at').fill('2025-06-02T10:30');
    await page.locator('#interaction-outcome').fill('Agreed on a trial order');
    await page.locator('#interaction-notes').fill('Met the new buyer.\nBring samples next time.');
    await page.getByTestId('save-interaction').click();
    await page.getByTestId('interaction-form').waitFor({ state: 'detached' });
    assert.deepEqual((await ipcCalls(page, 'create_interaction')).at(-1).args.input, {
      customer_id: 2,
      kind: 'visit',
      occurred_at: '2025-06-02T10:30:00',
      outcome: 'Agreed on a trial order',
      notes: 'Met the new buyer.\nBring samples next time.',
      owner: null,
      answers_follow_up: null,
      next_follow_up_at: null,
      next_follow_up_reason: '',
    });
    await page
      .getByTestId('toast')
      .filter({ hasText: tr(en, 'interaction_form.logged', { kind: en.interaction_kind.visit, name: 'Acme Trading Ltd' }) })
      .waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="timeline-entry"]').length === 10);
    const top = entries(page).first();
    assert.equal(await top.getAttribute('data-kind'), 'interaction');
    assert.equal(await text(top.getByTestId('timeline-title')), en.interaction_kind.visit);
    assert.match(await top.textContent(), /Bring samples next time\./);
  });

  test('Add order: ¥1,234.50 typed as 1234.5 is sent as 123450 minor units (zh-CN)', async () => {
    const page = await open({ seed: { ...SEED, language: 'zh-CN' } });
    await openProfile(page, '杭州云帆科技有限公司');
    await page.getByTestId('add-order').click();
    await page.getByTestId('order-form').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'order-amount');
    assert.equal(await page.locator('.input-prefix').textContent(), '¥');
    // The customer buys through one channel: it is preselected.
    assert.equal(await page.locator('#order-channel').inputValue(), 'online_shop');

    // Text that is not an amount cannot be sent.
    await page.locator('#order-amount').fill('12.345');
    await page.getByTestId('save-order').click();
    await page.locator('#order-amount-error').waitFor();
    assert.equal(await page.locator('#order-amount-error').textContent(), zh.validation.unparseable);
    assert.equal((await ipcCalls(page, 'create_order')).length, 0);

    // The backend judges the rest: a quantity of zero.
    await page.locator('#order-amount').fill('1234.5');
    await page.locator('#order-ordered_on').fill('2025-06-01');
    await page.locator('#order-product').fill('激光打印机');
    await page.locator('#order-category').fill('办公设备');
    await page.locator('#order-quantity').fill('0');
    await page.locator('#order-external_id').fill('YF-SO-7');
    await page.getByTestId('save-order').click();
    await page.locator('#order-quantity-error').waitFor();
    assert.equal(await page.locator('#order-quantity-error').textContent(), zh.validation.out_of_range);
    assert.equal(await page.locator('#order-amount-error').count(), 0);

    await page.locator('#order-quantity').fill('3');
    await page.getByTestId('save-order').click();
    await page.getByTestId('order-form').waitFor({ state: 'detached' });
    const input = (await ipcCalls(page, 'create_order')).at(-1).args.input;
    assert.deepEqual(input, {
      customer_id: 1,
      external_id: 'YF-SO-7',
      ordered_on: '2025-06-01',
      amount_minor: 123450,
      currency: 'CNY',
      cost_minor: null,
      channel: 'online_shop',
      lines: [{ product: '激光打印机', category: '办公设备', quantity: 3, amount_minor: 123450 }],
    });
    await page.getByTestId('toast').filter({ hasText: tr(zh, 'order_form.added', { amount: '¥1,234.50' }) }).waitFor();
    const top = entries(page).first();
    await page.waitForFunction(() => document.querySelector('[data-testid="timeline-entry"]')?.dataset.kind === 'order');
    assert.equal(await text(top.getByTestId('timeline-title')), tr(zh, 'timeline.order', { amount: '¥1,234.50' }));
    assert.equal(
      await text(top.getByTestId('timeline-meta')),
      `${tr(zh, 'timeline.order_lines_other', { count: 1 })} · ${zh.channel.online_shop} · ${tr(zh, 'timeline.order_number', { number: 'YF-SO-7' })}`,
    );

    // Grouping commas and a currency without minor units; the same order number is taken.
    await page.getByTestId('add-order').click();
    await page.locator('#order-currency').selectOption('JPY');
    await page.locator('#order-amount').fill('1,200');
    await page.locator('#order-external_id').fill('YF-SO-7');
    await page.getByTestId('save-order').click();
    await page.locator('#order-external_id-error').waitFor();
    assert.equal(await page.locator('#order-external_id-error').textContent(), zh.validation.taken);
    assert.equal((await ipcCalls(page, 'create_order')).at(-1).args.input.amount_minor, 1200);
    assert.equal((await ipcCalls(page, 'create_order')).at(-1).args.input.currency, 'JPY');
    // A negative amount is the backend's to refuse, next to the amount.
    await page.locator('#order-external_id').fill('');
    await page.locator('#order-amount').fill('-5');
    await page.getByTestId('save-order').click();
    await page.locator('#order-amount-error').waitFor();
    assert.equal(await page.locator('#order-amount-error').textContent(), zh.validation.out_of_range);
    assert.equal((await ipcCalls(page, 'create_order')).at(-1).args.input.amount_minor, -5);
    await page.getByTestId('cancel-order').click();
    await page.getByTestId('order-form').waitFor({ state: 'detached' });
  });
});

describe('erase on request', () => {
  test('needs the customer’s name typed, then goes back to the list with a toast', async () => {
    const page = await open({ seed: SEED });
    await openProfile(page, 'Acme Trading Ltd');
    await page.getByTestId('erase-customer').click();
    const dialog = page.getByTestId('erase-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.locator('h2').textContent(), tr(en, 'erase.dialog_title', { name: 'Acme Trading Ltd' }));
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'erase-confirm-name');
    const confirm = page.getByTestId('erase-confirm');
    assert.equal(await confirm.isDisabled(), true);
    await page.getByTestId('erase-confirm-name').fill('Acme');
    assert.equal(await confirm.isDisabled(), true);
    // Enter does not get around the name either.
    await page.getByTestId('erase-confirm-name').press('Enter');
    assert.equal((await ipcCalls(page, 'erase_customer')).length, 0);
    await page.getByTestId('erase-confirm-name').fill('acme trading ltd');
    assert.equal(await confirm.isDisabled(), true, 'the name as written');
    // Cancel and come back: the typed name is gone.
    await page.getByTestId('erase-dialog-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('erase-customer').click();
    assert.equal(await page.getByTestId('erase-confirm-name').inputValue(), '');
    await page.getByTestId('erase-confirm-name').fill('Acme Trading Ltd');
    assert.equal(await confirm.isDisabled(), false);
    await confirm.click();

    await page.getByTestId('toast').filter({ hasText: tr(en, 'erase.done', { name: 'Acme Trading Ltd' }) }).waitFor();
    await rows(page).first().waitFor();
    assert.deepEqual((await ipcCalls(page, 'erase_customer')).map((c) => c.args), [{ id: 2 }]);
    assert.equal(await page.locator('h1').textContent(), en.customers.title);
    const names = await page.locator('[data-testid="customer-row"] [data-testid="customer-name"]').allTextContents();
    assert.ok(!names.includes('Acme Trading Ltd'));
    assert.equal(names.length, 3);
  });
});

describe('profile safety', () => {
  test('contact names, notes and timeline text render as text, never as HTML', async () => {
    const XSS = '<img src=x onerror=alert(1)>';
    const page = await open({
      seed: {
        ...SEED,
        contacts: [{ id: 9, customer_id: 4, name: XSS, title: '<b>boss</b>', notes: '<script>alert(2)</script>' }],
        interactions: [{ id: 9, customer_id: 4, kind: 'email', occurred_at: '2025-05-01T08:00:00', outcome: XSS, notes: '<i>x</i>' }],
        complaints: [{ id: 9, customer_id: 4, opened_at: '2025-05-02T08:00:00', category: '<u>cat</u>', severity: 'low', status: 'open' }],
      },
    });
    await openProfile(page, 'Maria Rossi');
    await page.getByTestId('contact').first().waitFor();
    assert.equal(await page.getByTestId('contact-name').textContent(), XSS);
    assert.match(await page.getByTestId('timeline').textContent(), /<u>cat<\/u>/);
    assert.equal(await page.locator('main img, main b, main i, main u, main script').count(), 0);
    await page.waitForTimeout(100);
  });
});

describe('profile screenshots', () => {
  for (const lang of ['en', 'zh-CN']) {
    test(`profile with contacts and timeline in ${lang}`, async () => {
      const page = await open({ seed: { ...SEED, language: lang } });
      await rows(page).first().waitFor();
      const name = lang === 'en' ? 'Acme Trading Ltd' : '杭州云帆科技有限公司';
      await openProfile(page, name);
      await page.getByTestId('contact').first().waitFor();
      await page.waitForTimeout(250);
      await assertNothingClipped(page);
      await shoot(page, `profile-${lang}`);

      await page.getByTestId('edit-customer').click();
      await page.locator('#customer-name').waitFor();
      await page.waitForTimeout(250);
      await assertNothingClipped(page);
      await shoot(page, `profile-edit-${lang}`);
      await page.getByTestId('cancel-edit').click();

      await page.getByTestId('add-order').click();
      await page.locator('#order-amount').fill('abc');
      await page.getByTestId('save-order').click();
      await page.locator('#order-amount-error').waitFor();
      await page.waitForTimeout(250);
      await assertNothingClipped(page);
      await shoot(page, `order-form-${lang}`);
      await page.getByTestId('cancel-order').click();

      await page.getByTestId('add-contact').click();
      await page.locator('#contact-email').fill('bad@');
      await page.getByTestId('save-contact').click();
      await page.locator('#contact-email-error').waitFor();
      await page.waitForTimeout(100);
      await assertNothingClipped(page);
      await shoot(page, `contact-form-${lang}`);
      await page.getByTestId('cancel-contact').click();

      await page.getByTestId('erase-customer').click();
      await page.getByTestId('erase-dialog').waitFor();
      await page.waitForTimeout(150);
      await shoot(page, `erase-dialog-${lang}`);
    });
  }
});
