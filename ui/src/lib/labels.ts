// Translated names of the closed sets of values the backend uses (size classes, channels,
// pipeline stages, activity kinds …). Each set is a map from value to label, typed against
// its generated union so that a missing or unknown value is a type error; the map's keys,
// in order, are the values as the UI lists them. Each label is a literal key inside t(), so
// the i18n check sees every one.
import type {
  ComplaintSeverity,
  ComplaintStatus,
  CustomerKind,
  InteractionKind,
  LoyaltyKind,
  OrderStatus,
  PipelineStage,
  Platform,
  SalesChannel,
  SizeClass,
  SurveyKind,
  TimelineKind,
} from './bindings';
import { t } from './i18n.svelte';
import { keysOf } from './sets';

/** A translated label for each value of `T`. */
export type Labels<T extends string> = Record<T, () => string>;

const CUSTOMER_KIND_LABELS = {
  company: () => t('kind.company'),
  person: () => t('kind.person'),
} satisfies Labels<CustomerKind>;

const SIZE_CLASS_LABELS = {
  large: () => t('size_class.large'),
  smb: () => t('size_class.smb'),
  individual: () => t('size_class.individual'),
} satisfies Labels<SizeClass>;

const CHANNEL_LABELS = {
  online_shop: () => t('channel.online_shop'),
  marketplace: () => t('channel.marketplace'),
  store: () => t('channel.store'),
  phone_wechat: () => t('channel.phone_wechat'),
} satisfies Labels<SalesChannel>;

const PIPELINE_LABELS = {
  awareness: () => t('pipeline.awareness'),
  interest: () => t('pipeline.interest'),
  decision: () => t('pipeline.decision'),
  purchase: () => t('pipeline.purchase'),
  won: () => t('pipeline.won'),
  lost: () => t('pipeline.lost'),
} satisfies Labels<PipelineStage>;

const INTERACTION_KIND_LABELS = {
  call: () => t('interaction_kind.call'),
  visit: () => t('interaction_kind.visit'),
  email: () => t('interaction_kind.email'),
  message: () => t('interaction_kind.message'),
  meeting: () => t('interaction_kind.meeting'),
} satisfies Labels<InteractionKind>;

/** In the order the filter chips show them. */
const TIMELINE_KIND_LABELS = {
  interaction: () => t('timeline.kind.interaction'),
  order: () => t('timeline.kind.order'),
  complaint_opened: () => t('timeline.kind.complaint_opened'),
  complaint_resolved: () => t('timeline.kind.complaint_resolved'),
  survey_response: () => t('timeline.kind.survey_response'),
  loyalty: () => t('timeline.kind.loyalty'),
  service_cost: () => t('timeline.kind.service_cost'),
  contact_added: () => t('timeline.kind.contact_added'),
  follow_up_scheduled: () => t('timeline.kind.follow_up_scheduled'),
  follow_up_completed: () => t('timeline.kind.follow_up_completed'),
} satisfies Labels<TimelineKind>;

const SEVERITY_LABELS = {
  low: () => t('severity.low'),
  medium: () => t('severity.medium'),
  high: () => t('severity.high'),
  critical: () => t('severity.critical'),
} satisfies Labels<ComplaintSeverity>;

const COMPLAINT_STATUS_LABELS = {
  open: () => t('complaint_status.open'),
  in_progress: () => t('complaint_status.in_progress'),
  resolved: () => t('complaint_status.resolved'),
  closed: () => t('complaint_status.closed'),
} satisfies Labels<ComplaintStatus>;

/** A change of loyalty points by `count` (its size); an adjustment says which way by the sign of `points`. */
const LOYALTY_TEXTS = {
  earn: (count) => t('timeline.loyalty_earn', { count }),
  redeem: (count) => t('timeline.loyalty_redeem', { count }),
  referral_reward: (count) => t('timeline.loyalty_referral', { count }),
  adjust: (count, points) =>
    points < 0 ? t('timeline.loyalty_adjust_down', { count }) : t('timeline.loyalty_adjust_up', { count }),
} satisfies Record<LoyaltyKind, (count: number, points: number) => string>;

const SURVEY_TEXTS = {
  nps: (score) => t('timeline.survey_nps', { score }),
  csat: (score) => t('timeline.survey_csat', { score }),
  ces: (score) => t('timeline.survey_ces', { score }),
} satisfies Record<SurveyKind, (score: number) => string>;

export const CUSTOMER_KINDS = keysOf(CUSTOMER_KIND_LABELS);
export const SIZE_CLASSES = keysOf(SIZE_CLASS_LABELS);
export const CHANNELS = keysOf(CHANNEL_LABELS);
export const PIPELINE_STAGES = keysOf(PIPELINE_LABELS);
export const INTERACTION_KINDS = keysOf(INTERACTION_KIND_LABELS);
export const TIMELINE_KINDS = keysOf(TIMELINE_KIND_LABELS);

export const customerKindLabel = (value: CustomerKind): string => CUSTOMER_KIND_LABELS[value]();
export const sizeClassLabel = (value: SizeClass): string => SIZE_CLASS_LABELS[value]();
export const channelLabel = (value: SalesChannel): string => CHANNEL_LABELS[value]();
export const pipelineLabel = (value: PipelineStage): string => PIPELINE_LABELS[value]();
export const interactionKindLabel = (value: InteractionKind): string => INTERACTION_KIND_LABELS[value]();
export const timelineKindLabel = (value: TimelineKind): string => TIMELINE_KIND_LABELS[value]();
export const severityLabel = (value: ComplaintSeverity): string => SEVERITY_LABELS[value]();
export const complaintStatusLabel = (value: ComplaintStatus): string => COMPLAINT_STATUS_LABELS[value]();

/** The sentence for a change of loyalty points, e.g. "Earned 120 points". */
export const loyaltyText = (kind: LoyaltyKind, points: number): string => LOYALTY_TEXTS[kind](Math.abs(points), points);

/** A survey answer with its scale, e.g. "NPS 9 / 10". */
export const surveyText = (kind: SurveyKind, score: number): string => SURVEY_TEXTS[kind](score);

/** The label of a name the backend uses (a field); a name the map does not know is shown as it is. */
export function labelOf(labels: Record<string, () => string>, name: string): string {
  return Object.hasOwn(labels, name) ? labels[name]() : name;
}

const PLATFORM_LABELS = {
  taobao: () => t('platform.name.taobao'),
  jd: () => t('platform.name.jd'),
  pinduoduo: () => t('platform.name.pinduoduo'),
  youzan: () => t('platform.name.youzan'),
  weidian: () => t('platform.name.weidian'),
  wechat_shop: () => t('platform.name.wechat_shop'),
} satisfies Labels<Platform>;

const ORDER_STATUS_LABELS = {
  unpaid: () => t('platform.order_status.unpaid'),
  cancelled: () => t('platform.order_status.cancelled'),
  refunded: () => t('platform.order_status.refunded'),
} satisfies Labels<OrderStatus>;

export const platformLabel = (value: Platform): string => PLATFORM_LABELS[value]();
export const orderStatusLabel = (value: OrderStatus): string => ORDER_STATUS_LABELS[value]();
