// The calls the contract test (tests/contract.rs) sends both to the real IPC commands on a
// fresh database and to the fake backend of the UI tests; their answers must agree.
//
// A step is { cmd, args, save? }. In arguments, "@name" is a value saved from an earlier
// answer (`save: { name: 'path.in.answer' }`), and "$DIR" the folder holding `files`.
// Every command the fake answers is here except the dialog plugin's, which opens a window.

export const files = {
  // A GBK customer list, as the fake reads any path without "bad", "dupes" or "missing".
  'customers.csv': {
    encoding: 'gbk',
    text:
      '客户编号,客户名称,手机号码,电子邮箱,地区,签约日期\n' +
      'C-1001,王芳,138 0013 8000,wang.fang@example.cn,广东深圳,05/01/2025\n' +
      'C-1002,深圳市华强电子有限公司,0755-8888 6666,info@huaqiang.cn,广东深圳,12/03/2025\n' +
      'C-1003,李娜,139 1234 5678,lina@example.cn,上海,07/02/2025\n',
  },
  // Row 3 has a bad email, row 4 repeats the customer number of row 2.
  'bad-customers.csv': {
    encoding: 'gbk',
    text:
      '客户编号,客户名称,手机号码,电子邮箱,地区,签约日期\n' +
      'C-1001,王芳,138 0013 8000,wang.fang@example.cn,广东深圳,05/01/2025\n' +
      'C-1002,深圳市华强电子有限公司,0755-8888 6666,info@@huaqiang,广东深圳,12/03/2025\n' +
      'C-1001,李娜,139 1234 5678,lina@example.cn,上海,07/02/2025\n',
  },
};

const customer = (name, extra = {}) => ({
  name,
  kind: 'company',
  company: null,
  phone: null,
  email: null,
  region: null,
  owner: null,
  notes: null,
  ...extra,
});

const query = (extra = {}) => ({
  search: '',
  kind: null,
  owner: null,
  sort: 'name',
  descending: false,
  deleted: false,
  offset: 0,
  limit: 50,
  ...extra,
});

const contact = (extra = {}) => ({
  customer_id: '@zhang',
  name: '李娜',
  title: null,
  phone: null,
  email: null,
  wechat: null,
  is_primary: false,
  notes: null,
  ...extra,
});

const order = (extra = {}) => ({
  customer_id: '@zhang',
  external_id: null,
  ordered_on: '2025-03-02',
  amount_minor: 123450,
  currency: 'CNY',
  cost_minor: null,
  channel: 'store',
  lines: [{ product: '焊台', category: '工具耗材', quantity: 1, amount_minor: 123450 }],
  ...extra,
});

const interaction = (extra = {}) => ({
  customer_id: '@zhang',
  kind: 'call',
  occurred_at: '2025-04-01T10:30:00',
  outcome: '确认下季度采购计划',
  notes: null,
  next_follow_up_on: null,
  done: false,
  owner: null,
  ...extra,
});

const complaint = (extra = {}) => ({
  customer_id: '@zhang',
  opened_at: '2025-04-02T09:00:00',
  category: '物流',
  severity: 'high',
  status: 'open',
  description: '包装破损',
  resolved_at: null,
  ...extra,
});

const survey = (extra = {}) => ({
  customer_id: '@zhang',
  kind: 'nps',
  survey_id: null,
  responded_on: '2025-04-03',
  score: 9,
  comment: null,
  ...extra,
});

const timeline = (extra = {}) => ({ before: null, limit: 0, kinds: [], utc_offset_minutes: 480, ...extra });

const importOptions = (extra = {}) => ({
  kind: 'customers',
  mode: 'create',
  mapping: {},
  day_first: null,
  skip_bad_rows: false,
  dry_run: false,
  read: {},
  default_currency: null,
  ...extra,
});

const x = (n) => 'x'.repeat(n);
const call = (cmd, args = {}, save) => (save ? { cmd, args, save } : { cmd, args });

export const steps = [
  // The app and its language.
  call('app_info'),
  call('get_language'),
  call('set_language', { language: 'fr' }),
  call('set_language', { language: 'zh-CN' }),
  call('get_language'),
  call('set_language', { language: 'en' }),
  call('search_pending'),
  call('list_customers', { query: query() }),

  // Customers: a full profile, cleaned on the way in.
  call(
    'create_customer',
    {
      input: customer(' 张伟 ', {
        company: '深圳市华强电子有限公司',
        phone: '139 0000 1111',
        email: 'zw@huaqiang.cn',
        region: '广东深圳',
        owner: '王磊',
        notes: '  ',
        external_id: 'C-0001',
        size_class: 'large',
        industry: '电子元器件',
        channels: ['store', 'online_shop', 'store'],
        tags: ['重点客户', ' 重点客户 ', 'VIP', ''],
        source: '展会',
        is_kol: true,
        needs: '稳定的供货周期',
        preferences: '月结',
        pipeline_stage: 'won',
      }),
    },
    { zhang: 'id' },
  ),
  call('create_customer', { input: customer('Acme Trading Ltd', { region: 'London', owner: 'Emma Clarke', email: 'sales@acme.co.uk', tags: ['export'] }) }, { acme: 'id' }),
  call('create_customer', { input: customer('bob', { kind: 'person', company: 'zeta', phone: '+86 139 1234 5678', referred_by: '@zhang' }) }, { bob: 'id' }),
  call('create_customer', { input: customer('刘洋', { kind: 'person', company: 'Beta', region: '北京', owner: '王磊', notes: '喜欢周末来店' }) }, { liu: 'id' }),
  call('get_customer', { id: '@zhang' }),
  call('get_customer', { id: 999 }),
  call('get_customer', { id: 'one' }),

  // Validation: every failing field, in the backend's order.
  call('create_customer', { input: customer('   ') }),
  call('create_customer', { input: customer(x(201), { company: x(201), region: x(101), owner: x(101), notes: x(5001) }) }),
  call('create_customer', { input: customer(x(200), { company: x(200), region: x(100), owner: x(100), notes: x(5000), phone: '1'.repeat(20) }) }),
  call('create_customer', { input: customer('y', { external_id: x(65), industry: x(101), source: x(101), needs: x(2001), preferences: x(2001) }) }),
  call('create_customer', { input: customer('', { email: 'zhang@@example', phone: '12800138000' }) }),
  call('create_customer', { input: customer('t', { tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }) }),
  call('create_customer', { input: customer('t', { tags: [x(51)] }) }),
  call('create_customer', { input: customer('e', { email: `${x(250)}@x.cn` }) }),
  call('create_customer', { input: customer('p', { phone: '1'.repeat(33) }) }),
  call('create_customer', { input: customer('dup', { external_id: 'C-0001' }) }),
  call('create_customer', { input: customer('ref', { referred_by: 999 }) }),
  call('create_customer', { input: { name: 5, kind: 'alien' } }),
  call('create_customer', { input: customer('k', { kind: 'alien' }) }),
  call('create_customer', { input: customer('s', { size_class: 'huge' }) }),
  call('create_customer', { input: customer('c', { channels: ['fax'] }) }),
  call('create_customer', { input: customer('r', { referred_by: 'one' }) }),
  // Phone numbers: 5 to 20 digits with separators, an 11-digit mainland mobile 13-19.
  ...[
    '1234',
    '12345',
    '(0755) 8888-7777',
    '+86 137 0013 8000',
    '12800138000',
    '+12800138000',
    '137.0013.8000',
    '138-0013-8000 ext 5',
    '+',
    '++8613800138000',
    '8613700138000',
    '１３８００１３８０００',
    '1'.repeat(21),
  ].map((phone) => call('create_customer', { input: customer('phone probe', { phone }) })),
  // Emails.
  ...[
    'a@b',
    'a@b.',
    'a@b.c',
    'a b@x.cn',
    'a..b@x.cn',
    '.a@x.cn',
    'a.@x.cn',
    'a@x..cn',
    'a@-x.cn',
    'a@x_y.cn',
    'Zhang.Wei+crm@Example.COM',
    '张伟@例子.中国',
    '"a b"@x.cn',
    'a@[127.0.0.1]',
    'a(b)@x.cn',
    'a@x.cn.',
  ].map((email) => call('create_customer', { input: customer('email probe', { email }) })),

  // Update, delete, restore.
  call('update_customer', { id: '@acme', input: customer('Acme Trading Ltd', { region: 'Manchester', owner: 'Emma Clarke', tags: ['export', 'uk'] }) }),
  call('update_customer', { id: '@bob', input: customer('bob', { kind: 'person', referred_by: '@bob' }) }),
  call('update_customer', { id: 999, input: customer('nobody') }),
  call('update_customer', { id: 999, input: customer('nobody', { email: 'bad' }) }),
  call('update_customer', { id: '@acme', input: customer('Acme', { external_id: 'C-0001' }) }),
  call('delete_customer', { id: '@liu' }),
  call('delete_customer', { id: '@liu' }),
  call('list_customers', { query: query({ deleted: true }) }),
  call('list_customers', { query: query({ deleted: true, search: 'LIU' }) }),
  call('list_customers', { query: query({ deleted: true, search: '刘' }) }),
  call('update_customer', { id: '@liu', input: customer('刘洋') }),
  call('restore_customer', { id: '@liu' }),
  call('restore_customer', { id: '@liu' }),
  call('delete_customer', { id: 'one' }),

  // Lists: sorting, paging, filters and search.
  ...['name', 'company', 'region', 'owner', 'created_at', 'updated_at'].flatMap((sort) => [
    call('list_customers', { query: query({ sort }) }),
    call('list_customers', { query: query({ sort, descending: true }) }),
  ]),
  call('list_customers', { query: query({ sort: 'email' }) }),
  call('list_customers', { query: query({ offset: 1, limit: 2 }) }),
  call('list_customers', { query: query({ offset: 10 }) }),
  call('list_customers', { query: query({ limit: 0 }) }),
  call('list_customers', { query: query({ limit: 100000 }) }),
  call('list_customers', { query: query({ limit: -1 }) }),
  call('list_customers', { query: query({ kind: 'person' }) }),
  call('list_customers', { query: query({ owner: '王磊' }) }),
  call('list_customers', { query: query({ owner: ' 王磊 ' }) }),
  call('list_customers', { query: query({ tag: 'VIP' }) }),
  call('list_customers', { query: query({ tag: 'vip' }) }),
  ...[
    '华强',
    '华',
    '深圳华强',
    '138',
    '8000',
    '0013',
    '13700138000',
    'acme',
    'ACME tra',
    'cme',
    'ac',
    'zw@huaqiang',
    'huaqiang.cn',
    'c-0001',
    'c0001',
    '广东',
    '王磊',
    'emma',
    '展会',
    '重点',
    'vip',
    '周末',
    '供货',
    '月结',
    '电子元器件',
    '!!!',
    '  ',
    'nothing',
  ].map((search) => call('list_customers', { query: query({ search }) })),
  call('list_customers', { query: query({ search: '王磊', kind: 'person' }) }),
  call('list_customers', { query: query({ search: 'acme', tag: 'uk' }) }),

  // Contacts: at most one primary, listed first.
  call('list_contacts', { customerId: '@zhang' }),
  call('create_contact', { input: contact({ title: '采购经理', phone: '139-1234-5678', is_primary: true }) }, { lina: 'id' }),
  call('create_contact', { input: contact({ name: ' 陈静 ', email: 'chen@huaqiang.cn', wechat: 'chenjing88', is_primary: true, notes: '周一到周五' }) }, { chen: 'id' }),
  call('create_contact', { input: contact({ name: 'Tom' }) }, { tom: 'id' }),
  call('list_contacts', { customerId: '@zhang' }),
  call('update_contact', { id: '@lina', input: contact({ title: '总经理', is_primary: true }) }),
  call('list_contacts', { customerId: '@zhang' }),
  call('create_contact', { input: contact({ name: '' }) }),
  call('create_contact', { input: contact({ name: x(201), title: x(101), phone: 'abc', email: 'x@', wechat: x(65), notes: x(2001) }) }),
  call('create_contact', { input: contact({ phone: '1'.repeat(33), email: `${x(250)}@x.cn` }) }),
  call('create_contact', { input: contact({ customer_id: 999 }) }),
  call('create_contact', { input: contact({ customer_id: 'one' }) }),
  call('update_contact', { id: 999, input: contact() }),
  call('update_contact', { id: '@tom', input: contact({ name: '' }) }),
  call('delete_contact', { id: '@tom' }),
  call('delete_contact', { id: '@tom' }),
  call('list_contacts', { customerId: '@zhang' }),
  call('list_contacts', { customerId: 999 }),
  call('list_customers', { query: query({ search: '陈静' }) }),
  call('list_customers', { query: query({ search: '12345678' }) }),

  // Orders, interactions, complaints, survey answers.
  call('create_order', { input: order({ external_id: 'SO-1' }) }),
  call('create_order', { input: order({ customer_id: '@acme', ordered_on: '2025-02-10', currency: 'gbp', amount_minor: 5000, cost_minor: 3000, channel: null, lines: [] }) }),
  call('create_order', { input: order({ ordered_on: '2025-04-20', amount_minor: 88000, lines: [{ product: ' 烙铁头 ', category: ' ', quantity: 4, amount_minor: 88000 }, { product: '焊锡丝', quantity: 2, amount_minor: 0 }] }) }),
  call('create_order', { input: order({ external_id: 'SO-1' }) }),
  call('create_order', { input: order({ amount_minor: -1, cost_minor: -1, currency: 'yuan' }) }),
  call('create_order', { input: order({ lines: [{ product: '', category: x(101), quantity: 0, amount_minor: -5 }] }) }),
  call('create_order', { input: order({ lines: [{ product: x(201), quantity: 1, amount_minor: 1 }] }) }),
  call('create_order', { input: order({ external_id: x(65) }) }),
  call('create_order', { input: order({ customer_id: 999 }) }),
  call('create_order', { input: order({ customer_id: 999, amount_minor: -1 }) }),
  call('create_order', { input: order({ ordered_on: '2025-02-30' }) }),
  call('create_order', { input: order({ channel: 'fax' }) }),
  call('create_order', { input: order({ currency: null }) }),
  call('create_interaction', { input: interaction() }),
  call('create_interaction', { input: interaction({ kind: 'visit', occurred_at: '2025-04-20T15:00', next_follow_up_on: '2025-05-01', owner: ' 王磊 ', notes: '带样品' }) }),
  call('create_interaction', { input: interaction({ next_follow_up_on: '2025-03-01' }) }),
  call('create_interaction', { input: interaction({ outcome: x(201), notes: x(5001), owner: x(101) }) }),
  call('create_interaction', { input: interaction({ customer_id: 999 }) }),
  call('create_interaction', { input: interaction({ kind: 'telegram' }) }),
  call('create_interaction', { input: interaction({ occurred_at: '2025-04-01' }) }),
  call('create_complaint', { input: complaint() }),
  call('create_complaint', { input: complaint({ status: 'resolved', resolved_at: '2025-04-03T12:30:00', severity: 'low', description: null }) }),
  call('create_complaint', { input: complaint({ status: 'resolved' }) }),
  call('create_complaint', { input: complaint({ status: 'closed', resolved_at: '2025-04-01T00:00:00' }) }),
  call('create_complaint', { input: complaint({ status: 'open', resolved_at: '2025-04-05T00:00:00' }) }),
  call('create_complaint', { input: complaint({ category: '  ' }) }),
  call('create_complaint', { input: complaint({ category: x(101), description: x(5001) }) }),
  call('create_complaint', { input: complaint({ customer_id: 999 }) }),
  call('create_complaint', { input: complaint({ severity: 'urgent' }) }),
  call('create_survey_response', { input: survey() }),
  call('create_survey_response', { input: survey({ kind: 'csat', score: 4, comment: ' 很满意 ', responded_on: '2025-04-04' }) }),
  call('create_survey_response', { input: survey({ kind: 'ces', score: 7 }) }),
  call('create_survey_response', { input: survey({ score: 11 }) }),
  call('create_survey_response', { input: survey({ kind: 'nps', score: -1 }) }),
  call('create_survey_response', { input: survey({ kind: 'csat', score: 0 }) }),
  call('create_survey_response', { input: survey({ kind: 'ces', score: 8, comment: x(2001) }) }),
  call('create_survey_response', { input: survey({ customer_id: 999 }) }),
  call('create_survey_response', { input: survey({ kind: 'poll' }) }),

  // The timeline: newest first, paged with a cursor, filtered by kind.
  call('customer_timeline', { customerId: '@zhang', query: timeline() }),
  call('customer_timeline', { customerId: '@zhang', query: timeline({ limit: 3 }) }, { cursor: 'next' }),
  call('customer_timeline', { customerId: '@zhang', query: timeline({ limit: 3, before: '@cursor' }) }),
  call('customer_timeline', { customerId: '@zhang', query: timeline({ kinds: ['order', 'complaint_resolved'] }) }),
  call('customer_timeline', { customerId: '@zhang', query: timeline({ utc_offset_minutes: 0 }) }),
  call('customer_timeline', { customerId: '@zhang', query: timeline({ utc_offset_minutes: 900 }) }),
  call('customer_timeline', { customerId: '@zhang', query: timeline({ kinds: ['gossip'] }) }),
  call('customer_timeline', { customerId: 999, query: timeline() }),

  // Evaluations: settings are checked field by field; runs are compared by shape.
  call('evaluation_settings'),
  call('save_evaluation_settings', { settings: { window_months: 0, default_margin: 1.5, tier_a_share: 0.95, tier_b_share: 0.9, dormant_days: 400, keep_runs: 0 } }),
  call('save_evaluation_settings', { settings: { churn_days: 100, dormant_days: 100, one_time_at_risk_days: 100, at_risk_p_alive: 0.9, churned_p_alive: 0.95 } }),
  call('save_evaluation_settings', { settings: { upsell_min_share: 0, clv_monthly_discount_rate: 1, at_risk_gap_multiple: 1, loyal_min_purchases: 1, exit_low_value_runs: 25 } }),
  call('save_evaluation_settings', { settings: { survey_interval_days: 200, keep_runs: 5 } }),
  call('evaluation_settings'),
  call('list_evaluation_runs'),
  call('customer_standing', { customerId: '@zhang' }),
  call('customer_evaluation_history', { customerId: '@zhang' }),
  call('evaluation_members', { runId: 1, filter: {}, offset: 0, limit: 50 }),
  call('run_evaluation', { asOf: '2025-05-01', trigger: 'manual', onProgress: '__CHANNEL__:1' }, { first: 'id' }),
  call('run_evaluation', { asOf: '2025-06-01', trigger: 'import', onProgress: '__CHANNEL__:2' }, { second: 'id' }),
  call('run_evaluation', { asOf: '2025-06-01', trigger: 'someone', onProgress: '__CHANNEL__:3' }),
  call('list_evaluation_runs'),
  call('evaluation_members', { runId: '@second', filter: {}, offset: 0, limit: 50 }),
  call('evaluation_members', { runId: 999, filter: {}, offset: 0, limit: 50 }),
  call('customer_standing', { customerId: '@zhang' }),
  call('customer_standing', { customerId: 999 }),
  call('customer_evaluation_history', { customerId: '@zhang' }),
  call('evaluation_migration', { fromRun: '@first', toRun: '@second', dimension: 'tier' }),
  call('evaluation_migration', { fromRun: '@first', toRun: 999, dimension: 'tier' }),
  call('evaluation_migration', { fromRun: '@first', toRun: '@second', dimension: 'mood' }),
  call('export_members', { runId: '@second', filter: {}, path: '$DIR/members.csv' }),
  call('export_members', { runId: 999, filter: {}, path: '$DIR/members.csv' }),

  // Erasure keeps the row and drops the personal data.
  call('erase_customer', { id: '@bob' }),
  call('get_customer', { id: '@bob' }),
  call('list_customers', { query: query() }),
  call('erase_customer', { id: 999 }),

  // Exports.
  call('export_customers', { selection: { query: query() }, format: 'csv', language: 'zh-CN', path: '$DIR/customers-export.csv' }),
  call('export_customers', { selection: { ids: ['@zhang'] }, format: 'xlsx', language: 'en', path: '$DIR/customers-export.xlsx' }),
  call('export_customers', { selection: { query: query({ search: '华强' }) }, format: 'csv', language: 'en', path: '$DIR/found.csv' }),
  call('export_customers', { selection: { query: query() }, format: 'pdf', language: 'en', path: '$DIR/x.pdf' }),
  call('export_database', { dir: '$DIR/tables' }),

  // Imports.
  call('list_import_batches'),
  call('preview_import', { path: '$DIR/customers.csv', options: importOptions() }),
  call('preview_import', { path: '$DIR/customers.csv', options: importOptions({ mapping: { name: '', notes: '签约日期' } }) }),
  call('preview_import', { path: '$DIR/customers.csv', options: importOptions({ mapping: { notes: '合同' } }) }),
  call('preview_import', { path: '$DIR/missing.csv', options: importOptions() }),
  call('preview_import', { path: '$DIR/customers.csv', options: importOptions({ kind: 'suppliers' }) }),
  call('run_import', { path: '$DIR/customers.csv', options: importOptions({ dry_run: true }), onProgress: '__CHANNEL__:4' }),
  call('run_import', { path: '$DIR/customers.csv', options: importOptions({ mapping: { name: '' } }), onProgress: '__CHANNEL__:5' }),
  call('run_import', { path: '$DIR/bad-customers.csv', options: importOptions(), onProgress: '__CHANNEL__:6' }),
  call('run_import', { path: '$DIR/customers.csv', options: importOptions(), onProgress: '__CHANNEL__:7' }, { batch: 'batch_id' }),
  call('list_import_batches'),
  call('list_customers', { query: query({ search: '王芳' }) }),
  call('revert_import', { batchId: '@batch' }),
  call('revert_import', { batchId: '@batch' }),
  call('revert_import', { batchId: 999 }),
  call('list_import_batches'),

  // Backups, and the demo database beside the own one.
  call('list_backups'),
  call('create_backup', {}, { backup: 'file_name' }),
  call('list_backups'),
  call('create_customer', { input: customer('after the backup') }),
  call('restore_backup', { fileName: '../../etc/passwd' }),
  call('restore_backup', { fileName: '@backup' }),
  call('list_customers', { query: query({ search: 'after' }) }),
  call('open_demo'),
  call('app_info'),
  call('create_backup'),
  call('restore_backup', { fileName: '@backup' }),
  call('close_demo'),
  call('app_info'),
  call('open_demo'),
  call('close_demo'),
  call('list_customers', { query: query() }),
  call('default_export_dir'),
  call('no_such_command'),
];
