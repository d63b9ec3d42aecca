// Names and sentences of the segmentation engine's results: tiers, RFM segments, value
// classes, lifecycle stages, service levels, next actions, and the reasons behind each
// assignment. The closed sets are checked against their generated unions in both
// directions; their labels are the `evaluation.*` key families check-i18n.mjs knows.
import type {
  ActionDetail_Serialize,
  AssignmentReason_Serialize,
  Behaviour,
  ClvFailure,
  Dimension,
  ExitStep,
  Lifecycle,
  NextActionKind,
  RfmSegment,
  ScoreRule,
  ServiceLevel,
  Stage,
  Tier,
  Trigger,
  ValueClass,
} from './bindings';
import type { EvaluationSettings } from './api';
import { t } from './i18n.svelte';
import { formatLocalDate, formatMoney, formatNumber, numberFormat } from './format';
import { forVariant, keysOf, type ByVariant } from './sets';

/** The value tiers, then prospects: not a tier but a group of their own, shown beside them. */
export const TIERS = keysOf({ a: true, b: true, c: true, d: true, prospect: true } satisfies Record<Tier, true>);

/** Best to worst, as the RFM literature lists them. */
export const SEGMENTS = keysOf({
  champions: true,
  loyal: true,
  potential_loyalist: true,
  new: true,
  promising: true,
  need_attention: true,
  about_to_sleep: true,
  at_risk: true,
  cant_lose_them: true,
  hibernating: true,
} satisfies Record<RfmSegment, true>);

export const VALUE_CLASSES = keysOf({
  important_value: true,
  important_develop: true,
  important_keep: true,
  important_retain: true,
  general_value: true,
  general_develop: true,
  general_keep: true,
  general_retain: true,
} satisfies Record<ValueClass, true>);

export const LIFECYCLES = keysOf({
  prospect: true,
  new: true,
  repeat: true,
  loyal: true,
  at_risk: true,
  churned: true,
  won_back: true,
} satisfies Record<Lifecycle, true>);

export const BEHAVIOURS = keysOf({ active: true, dormant: true, churned: true } satisfies Record<Behaviour, true>);

export const SERVICE_LEVELS = keysOf({
  vip: true,
  priority: true,
  standard: true,
  self_service: true,
} satisfies Record<ServiceLevel, true>);

export const NEXT_ACTIONS = keysOf({
  resolve_complaint: true,
  follow_up: true,
  win_back: true,
  exit_plan: true,
  upsell: true,
  survey_due: true,
} satisfies Record<NextActionKind, true>);

export const STAGES = keysOf({
  loading: true,
  measuring: true,
  fitting_clv: true,
  predicting: true,
  deciding: true,
  saving: true,
} satisfies Record<Stage, true>);

export const tierLabel = (x: Tier): string => t(`evaluation.tier.${x}`);
export const segmentLabel = (x: RfmSegment): string => t(`evaluation.segment.${x}`);
export const valueClassLabel = (x: ValueClass): string => t(`evaluation.value_class.${x}`);
export const lifecycleLabel = (x: Lifecycle): string => t(`evaluation.lifecycle.${x}`);
export const behaviourLabel = (x: Behaviour): string => t(`evaluation.behaviour.${x}`);
export const serviceLevelLabel = (x: ServiceLevel): string => t(`evaluation.service_level.${x}`);
export const nextActionLabel = (x: NextActionKind): string => t(`evaluation.next_action.${x}`);
export const exitStepLabel = (x: ExitStep): string => t(`evaluation.exit_step.${x}`);
export const stageLabel = (x: Stage): string => t(`evaluation.stage.${x}`);
export const dimensionLabel = (x: Dimension): string => t(`evaluation.dimension.${x}`);
export const triggerLabel = (x: Trigger): string => t(`evaluation.trigger.${x}`);

/** Why a CLV model is missing, in the user's language. */
export function clvFailureText(failure: ClvFailure): string {
  return t(`evaluation.clv_cause.${failure.cause}`, { model: t(`evaluation.clv_model.${failure.model}`) });
}

/** The groups of a grouping in display order, and the name of a group key. */
export type Groups = { keys: readonly string[]; known: (key: string) => boolean; label: (key: string) => string };

/** Unknown keys (from a newer backend) are named as they are. */
function groups<K extends string>(keys: readonly K[], label: (key: K) => string): Groups {
  const known = (key: string): key is K => (keys as readonly string[]).includes(key);
  return { keys, known, label: (key) => (known(key) ? label(key) : key) };
}

/**
 * Each way the members of a run are grouped: the dimensions the migration between runs
 * follows, and the next actions and behaviours beside them.
 */
export const GROUPINGS = {
  tier: groups(TIERS, tierLabel),
  segment: groups(SEGMENTS, segmentLabel),
  value_class: groups(VALUE_CLASSES, valueClassLabel),
  lifecycle: groups(LIFECYCLES, lifecycleLabel),
  service_level: groups(SERVICE_LEVELS, serviceLevelLabel),
  next_action: groups(NEXT_ACTIONS, nextActionLabel),
  behaviour: groups(BEHAVIOURS, behaviourLabel),
} satisfies Record<Dimension | 'next_action' | 'behaviour', Groups>;
export type Grouping = keyof typeof GROUPINGS;

export const DIMENSIONS = keysOf({
  tier: true,
  segment: true,
  value_class: true,
  lifecycle: true,
  service_level: true,
} satisfies Record<Dimension, true>);

/** The groups of a dimension in display order. */
export const dimensionKeys = (dimension: Dimension): readonly string[] => GROUPINGS[dimension].keys;

/** The name of a group key of a dimension; unknown keys are shown as they are. */
export const groupLabel = (dimension: Dimension, key: string): string => GROUPINGS[dimension].label(key);

/** Rows of a summary in the order of `keys`, with unknown keys last. */
export function ordered<G extends { key: string }>(groups: readonly G[], keys: readonly string[]): G[] {
  const rank = (k: string) => {
    const i = keys.indexOf(k);
    return i < 0 ? keys.length : i;
  };
  return [...groups].sort((x, y) => rank(x.key) - rank(y.key));
}

/** A share in [0, 1] as a percentage, e.g. 0.834 → "83.4%". */
export function formatPercent(share: number | null | undefined, locale: string, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(share);
}

/** A model parameter or other real number with a few significant digits. */
export function formatReal(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return numberFormat(locale, { maximumSignificantDigits: 4 }).format(value);
}

/** How the sentences of reasons show money, dates and numbers. */
export type ReasonFormat = { locale: string; currency: string };

function money(minor: number | null, f: ReasonFormat): string {
  return minor === null ? '—' : formatMoney(minor, f.currency, f.locale);
}

function level(high: boolean): string {
  return high ? t('evaluation.reason.high') : t('evaluation.reason.low');
}

function number(x: number, f: ReasonFormat): string {
  return formatNumber(x, f.locale);
}

const DETAIL_TEXTS: ByVariant<ActionDetail_Serialize, 'kind', [ReasonFormat], string> = {
  open_complaints: (d) => t('evaluation.detail.open_complaints', { count: d.count }),
  follow_up_due: (d, f) => t('evaluation.detail.follow_up_due', { date: formatLocalDate(d.due_on, f.locale) }),
  at_risk: () => t('evaluation.detail.at_risk'),
  exit: (d) => t('evaluation.detail.exit', { step: exitStepLabel(d.step) }),
  upsell: (d, f) =>
    d.share === null
      ? t('evaluation.detail.upsell_no_share', { category: d.category })
      : t('evaluation.detail.upsell', {
          category: d.category,
          share: formatPercent(d.share, f.locale, 0),
          segment: segmentLabel(d.segment),
        }),
  survey_due: (d, f) =>
    d.last_answer_on === null
      ? t('evaluation.detail.survey_never', { count: d.interval_days })
      : t('evaluation.detail.survey_due', { count: d.interval_days, date: formatLocalDate(d.last_answer_on, f.locale) }),
};

/** What a score's band and rule add to its reason. */
type Scored = { score: number; rule: ScoreRule; buyers: number; min_buyers: number; from: number | null; to: number | null };

/** The reason's sentence, then which values get the score and by which rule. */
function scored(sentence: string, r: Scored, value: (x: number) => string): string {
  const band =
    r.from !== null && r.to !== null
      ? t('scores.band_between', { from: value(r.from), to: value(r.to), score: r.score })
      : r.to !== null
        ? t('scores.band_at_most', { to: value(r.to), score: r.score })
        : r.from !== null
          ? t('scores.band_at_least', { from: value(r.from), score: r.score })
          : '';
  const basis =
    r.rule === 'fixed'
      ? t('scores.basis_fixed', { count: r.buyers, min: r.min_buyers })
      : t('scores.basis_quintiles', { count: r.buyers });
  return t('scores.scored', { reason: sentence, band, basis });
}

const REASON_TEXTS: ByVariant<AssignmentReason_Serialize, 'code', [ReasonFormat], string> = {
  recency: (r) =>
    scored(t('evaluation.reason.recency', { score: r.score, count: r.days }), r, (x) => t('scores.days', { count: x })),
  frequency: (r) =>
    scored(t('evaluation.reason.frequency', { score: r.score, count: r.orders, months: r.window_months }), r, (x) =>
      t('scores.orders', { count: x }),
    ),
  monetary: (r, f) =>
    scored(
      t('evaluation.reason.monetary', { score: r.score, amount: money(r.spend_minor, f), months: r.window_months }),
      r,
      (x) => money(x, f),
    ),
  segment: (r) => t('evaluation.reason.segment', { segment: segmentLabel(r.segment), r: r.r, f: r.f }),
  value_class: (r) => {
    const levels = {
      class: valueClassLabel(r.class),
      recency: level(r.recent),
      frequency: level(r.frequent),
      spend: level(r.big_spender),
    };
    return r.rule === 'fixed' ? t('scores.value_class_fixed', levels) : t('evaluation.reason.value_class', levels);
  },
  tier: (r, f) => {
    if (r.tier === 'prospect') return t('scores.tier_prospect');
    const sentence =
      r.a_from_minor === null && r.b_from_minor === null
        ? t('evaluation.reason.tier_no_cuts', { tier: tierLabel(r.tier), contribution: money(r.contribution_minor, f) })
        : t('evaluation.reason.tier', {
            tier: tierLabel(r.tier),
            contribution: money(r.contribution_minor, f),
            a_from: money(r.a_from_minor, f),
            b_from: money(r.b_from_minor, f),
          });
    return r.buyers < r.min_buyers ? t('scores.tier_few', { reason: sentence, count: r.buyers, min: r.min_buyers }) : sentence;
  },
  potential_head: (r, f) =>
    t('evaluation.reason.potential_head', { clv: money(r.clv_minor, f), threshold: money(r.threshold_minor, f) }),
  influential: (r) =>
    r.kol
      ? t('evaluation.reason.influential_kol')
      : t('evaluation.reason.influential', { count: r.referrals, needed: r.referrals_needed }),
  no_purchase: () => t('evaluation.reason.no_purchase'),
  no_purchase_for: (r, f) => t('evaluation.reason.no_purchase_for', { count: r.days, limit: number(r.limit, f) }),
  low_p_alive: (r, f) =>
    t('evaluation.reason.low_p_alive', { p: formatPercent(r.p_alive, f.locale), limit: formatPercent(r.limit, f.locale) }),
  one_time_lapsed: (r, f) => t('evaluation.reason.one_time_lapsed', { count: r.days, limit: number(r.limit, f) }),
  gap_exceeded: (r, f) =>
    t('evaluation.reason.gap_exceeded', {
      count: r.days,
      gap: number(r.median_gap_days, f),
      multiple: formatReal(r.multiple, f.locale),
    }),
  returned_after_gap: (r, f) =>
    t('evaluation.reason.returned_after_gap', { count: r.gap_days, limit: number(r.limit, f) }),
  returned_after_churn: () => t('evaluation.reason.returned_after_churn'),
  first_purchase: (r, f) => t('evaluation.reason.first_purchase', { count: r.days, limit: number(r.limit, f) }),
  loyal_history: (r, f) =>
    t('evaluation.reason.loyal_history', {
      count: r.purchases,
      span: number(r.span_days, f),
      p: formatPercent(r.p_alive, f.locale),
    }),
  repeat_purchases: (r) => t('evaluation.reason.repeat_purchases', { count: r.purchases }),
  behaviour: (r) => t('evaluation.reason.behaviour', { behaviour: behaviourLabel(r.behaviour), count: r.days }),
  lifecycle: (r) => t('evaluation.reason.lifecycle', { stage: lifecycleLabel(r.stage) }),
  service_level: (r) => {
    const basis = [tierLabel(r.tier)];
    if (r.potential_head) basis.push(t('segments.potential_head'));
    if (r.influential) basis.push(t('segments.influential'));
    return t('evaluation.reason.service_level', {
      level: serviceLevelLabel(r.level),
      basis: basis.join(t('profile.list_separator')),
    });
  },
  exit_candidate: (r, f) =>
    t('evaluation.reason.exit_candidate', {
      step: exitStepLabel(r.step),
      count: r.low_value_runs,
      cost: money(r.service_cost_minor, f),
      margin: money(r.margin_minor, f),
      revenue: money(r.revenue_minor, f),
      previous: money(r.previous_revenue_minor, f),
    }),
  next_action: (r, f) =>
    t('evaluation.reason.next_action', {
      action: nextActionLabel(r.action),
      detail: forVariant(DETAIL_TEXTS, 'kind', r.detail, f),
    }),
  clv_unavailable: (r) => t('evaluation.reason.clv_unavailable', { reason: clvFailureText(r) }),
};

/** The sentence for one reason, in the current language, with its figures. */
export function reasonText(r: AssignmentReason_Serialize, f: ReasonFormat): string {
  return forVariant(REASON_TEXTS, 'code', r, f);
}

/** How a setting is typed: a whole number, a share shown as a percentage, a real number or money. */
export type SettingKind = 'int' | 'percent' | 'real' | 'money';
export type NumericSetting = Exclude<keyof EvaluationSettings, 'clv_time_unit'>;

export const SETTING_GROUPS: {
  title: 'value' | 'scores' | 'lifecycle' | 'actions' | 'clv';
  fields: [NumericSetting, SettingKind][];
}[] = [
  {
    title: 'value',
    fields: [
      ['window_months', 'int'],
      ['default_margin', 'percent'],
      ['service_hour_cost_minor', 'money'],
      ['tier_a_share', 'percent'],
      ['tier_b_share', 'percent'],
      ['influential_referrals', 'int'],
    ],
  },
  {
    title: 'scores',
    fields: [
      ['score_min_buyers', 'int'],
      ['recency_5_days', 'int'],
      ['recency_4_days', 'int'],
      ['recency_3_days', 'int'],
      ['recency_2_days', 'int'],
      ['frequency_2_orders', 'int'],
      ['frequency_3_orders', 'int'],
      ['frequency_4_orders', 'int'],
      ['frequency_5_orders', 'int'],
      ['monetary_2_minor', 'money'],
      ['monetary_3_minor', 'money'],
      ['monetary_4_minor', 'money'],
      ['monetary_5_minor', 'money'],
    ],
  },
  {
    title: 'lifecycle',
    fields: [
      ['churn_days', 'int'],
      ['dormant_days', 'int'],
      ['one_time_at_risk_days', 'int'],
      ['at_risk_gap_multiple', 'real'],
      ['loyal_min_purchases', 'int'],
      ['loyal_min_months', 'int'],
      ['loyal_min_p_alive', 'percent'],
      ['at_risk_p_alive', 'percent'],
      ['churned_p_alive', 'percent'],
    ],
  },
  {
    title: 'actions',
    fields: [
      ['exit_low_value_runs', 'int'],
      ['survey_interval_days', 'int'],
      ['upsell_min_share', 'percent'],
    ],
  },
  {
    title: 'clv',
    fields: [
      ['clv_horizon_months', 'int'],
      ['clv_monthly_discount_rate', 'percent'],
      ['keep_runs', 'int'],
    ],
  },
];

export const settingLabel = (field: keyof EvaluationSettings): string => t(`evaluation.setting.${field}`);
