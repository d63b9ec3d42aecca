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
  ServiceLevel,
  Stage,
  Tier,
  Trigger,
  ValueClass,
} from './bindings';
import type { EvaluationSettings } from './api';
import { t } from './i18n.svelte';
import { formatLocalDate, formatMoney, formatNumber } from './format';

const keysOf = <T extends string>(set: Record<T, true>): readonly T[] => Object.keys(set) as T[];

export const TIERS = keysOf({ a: true, b: true, c: true, d: true } satisfies Record<Tier, true>);

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

export const DIMENSIONS = keysOf({
  tier: true,
  segment: true,
  value_class: true,
  lifecycle: true,
  service_level: true,
} satisfies Record<Dimension, true>);

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

/** The groups of a dimension in display order. */
/** Why a CLV model is missing, in the user's language. */
export function clvFailureText(failure: ClvFailure): string {
  return t(`evaluation.clv_cause.${failure.cause}`, { model: t(`evaluation.clv_model.${failure.model}`) });
}

export function dimensionKeys(dimension: Dimension): readonly string[] {
  switch (dimension) {
    case 'tier':
      return TIERS;
    case 'segment':
      return SEGMENTS;
    case 'value_class':
      return VALUE_CLASSES;
    case 'lifecycle':
      return LIFECYCLES;
    case 'service_level':
      return SERVICE_LEVELS;
  }
}

/** The name of a group key of a dimension; unknown keys are shown as they are. */
export function groupLabel(dimension: Dimension, key: string): string {
  if (!dimensionKeys(dimension).includes(key)) return key;
  switch (dimension) {
    case 'tier':
      return tierLabel(key as Tier);
    case 'segment':
      return segmentLabel(key as RfmSegment);
    case 'value_class':
      return valueClassLabel(key as ValueClass);
    case 'lifecycle':
      return lifecycleLabel(key as Lifecycle);
    case 'service_level':
      return serviceLevelLabel(key as ServiceLevel);
  }
}

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
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(share);
}

/** A model parameter or other real number with a few significant digits. */
export function formatReal(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(locale, { maximumSignificantDigits: 4 }).format(value);
}

/** How the sentences of reasons show money, dates and numbers. */
export type ReasonFormat = { locale: string; currency: string };

function money(minor: number | null, f: ReasonFormat): string {
  return minor === null ? '—' : formatMoney(minor, f.currency, f.locale);
}

function level(high: boolean): string {
  return high ? t('evaluation.reason.high') : t('evaluation.reason.low');
}

function detailText(detail: ActionDetail_Serialize, f: ReasonFormat): string {
  switch (detail.kind) {
    case 'open_complaints':
      return t('evaluation.detail.open_complaints', { count: detail.count });
    case 'follow_up_due':
      return t('evaluation.detail.follow_up_due', { date: formatLocalDate(detail.due_on, f.locale) });
    case 'at_risk':
      return t('evaluation.detail.at_risk');
    case 'exit':
      return t('evaluation.detail.exit', { step: exitStepLabel(detail.step) });
    case 'upsell':
      return detail.share === null
        ? t('evaluation.detail.upsell_no_share', { category: detail.category })
        : t('evaluation.detail.upsell', {
            category: detail.category,
            share: formatPercent(detail.share, f.locale, 0),
            segment: segmentLabel(detail.segment),
          });
    case 'survey_due':
      return detail.last_answer_on === null
        ? t('evaluation.detail.survey_never', { count: detail.interval_days })
        : t('evaluation.detail.survey_due', {
            count: detail.interval_days,
            date: formatLocalDate(detail.last_answer_on, f.locale),
          });
  }
}

/** The sentence for one reason, in the current language, with its figures. */
export function reasonText(r: AssignmentReason_Serialize, f: ReasonFormat): string {
  const n = (x: number) => formatNumber(x, f.locale);
  switch (r.code) {
    case 'recency':
      return t('evaluation.reason.recency', { score: r.score, count: r.days });
    case 'frequency':
      return t('evaluation.reason.frequency', { score: r.score, count: r.orders, months: r.window_months });
    case 'monetary':
      return t('evaluation.reason.monetary', { score: r.score, amount: money(r.spend_minor, f), months: r.window_months });
    case 'segment':
      return t('evaluation.reason.segment', { segment: segmentLabel(r.segment), r: r.r, f: r.f });
    case 'value_class':
      return t('evaluation.reason.value_class', {
        class: valueClassLabel(r.class),
        recency: level(r.recent),
        frequency: level(r.frequent),
        spend: level(r.big_spender),
      });
    case 'tier':
      return r.a_from_minor === null && r.b_from_minor === null
        ? t('evaluation.reason.tier_no_cuts', { tier: tierLabel(r.tier), contribution: money(r.contribution_minor, f) })
        : t('evaluation.reason.tier', {
            tier: tierLabel(r.tier),
            contribution: money(r.contribution_minor, f),
            a_from: money(r.a_from_minor, f),
            b_from: money(r.b_from_minor, f),
          });
    case 'potential_head':
      return t('evaluation.reason.potential_head', { clv: money(r.clv_minor, f), threshold: money(r.threshold_minor, f) });
    case 'influential':
      return r.kol
        ? t('evaluation.reason.influential_kol')
        : t('evaluation.reason.influential', { count: r.referrals, needed: r.referrals_needed });
    case 'no_purchase':
      return t('evaluation.reason.no_purchase');
    case 'no_purchase_for':
      return t('evaluation.reason.no_purchase_for', { count: r.days, limit: n(r.limit) });
    case 'low_p_alive':
      return t('evaluation.reason.low_p_alive', {
        p: formatPercent(r.p_alive, f.locale),
        limit: formatPercent(r.limit, f.locale),
      });
    case 'one_time_lapsed':
      return t('evaluation.reason.one_time_lapsed', { count: r.days, limit: n(r.limit) });
    case 'gap_exceeded':
      return t('evaluation.reason.gap_exceeded', {
        count: r.days,
        gap: n(r.median_gap_days),
        multiple: formatReal(r.multiple, f.locale),
      });
    case 'returned_after_gap':
      return t('evaluation.reason.returned_after_gap', { count: r.gap_days, limit: n(r.limit) });
    case 'returned_after_churn':
      return t('evaluation.reason.returned_after_churn');
    case 'first_purchase':
      return t('evaluation.reason.first_purchase', { count: r.days, limit: n(r.limit) });
    case 'loyal_history':
      return t('evaluation.reason.loyal_history', {
        count: r.purchases,
        span: n(r.span_days),
        p: formatPercent(r.p_alive, f.locale),
      });
    case 'repeat_purchases':
      return t('evaluation.reason.repeat_purchases', { count: r.purchases });
    case 'behaviour':
      return t('evaluation.reason.behaviour', { behaviour: behaviourLabel(r.behaviour), count: r.days });
    case 'lifecycle':
      return t('evaluation.reason.lifecycle', { stage: lifecycleLabel(r.stage) });
    case 'service_level': {
      const basis = [tierLabel(r.tier)];
      if (r.potential_head) basis.push(t('segments.potential_head'));
      if (r.influential) basis.push(t('segments.influential'));
      return t('evaluation.reason.service_level', {
        level: serviceLevelLabel(r.level),
        basis: basis.join(t('profile.list_separator')),
      });
    }
    case 'exit_candidate':
      return t('evaluation.reason.exit_candidate', {
        step: exitStepLabel(r.step),
        count: r.low_value_runs,
        cost: money(r.service_cost_minor, f),
        margin: money(r.margin_minor, f),
        revenue: money(r.revenue_minor, f),
        previous: money(r.previous_revenue_minor, f),
      });
    case 'next_action':
      return t('evaluation.reason.next_action', { action: nextActionLabel(r.action), detail: detailText(r.detail, f) });
    case 'clv_unavailable':
      return t('evaluation.reason.clv_unavailable', { reason: clvFailureText(r) });
  }
}

/** How a setting is typed: a whole number, a share shown as a percentage, a real number or money. */
export type SettingKind = 'int' | 'percent' | 'real' | 'money';
export type NumericSetting = Exclude<keyof EvaluationSettings, 'clv_time_unit'>;

export const SETTING_GROUPS: { title: 'value' | 'lifecycle' | 'actions' | 'clv'; fields: [NumericSetting, SettingKind][] }[] = [
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
