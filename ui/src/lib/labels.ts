// Translated names of the closed sets of values the backend uses (size classes, channels,
// pipeline stages, activity kinds …). Each list is checked against its generated union in
// both directions, and each label is a literal key, so the i18n check sees every one.
import type {
  ComplaintSeverity,
  ComplaintStatus,
  InteractionKind,
  LoyaltyKind,
  PipelineStage,
  SalesChannel,
  SizeClass,
  SurveyKind,
  TimelineKind,
} from './bindings';
import { t } from './i18n.svelte';

const keysOf = <T extends string>(set: Record<T, true>): readonly T[] => Object.keys(set) as T[];

export const SIZE_CLASSES = keysOf({ large: true, smb: true, individual: true } satisfies Record<SizeClass, true>);

export const CHANNELS = keysOf({
  online_shop: true,
  marketplace: true,
  store: true,
  phone_wechat: true,
} satisfies Record<SalesChannel, true>);

export const PIPELINE_STAGES = keysOf({
  awareness: true,
  interest: true,
  decision: true,
  purchase: true,
  won: true,
  lost: true,
} satisfies Record<PipelineStage, true>);

export const INTERACTION_KINDS = keysOf({
  call: true,
  visit: true,
  email: true,
  message: true,
  meeting: true,
} satisfies Record<InteractionKind, true>);

/** In the order the filter chips show them. */
export const TIMELINE_KINDS = keysOf({
  interaction: true,
  order: true,
  complaint_opened: true,
  complaint_resolved: true,
  survey_response: true,
  loyalty: true,
  service_cost: true,
  contact_added: true,
} satisfies Record<TimelineKind, true>);

export function sizeClassLabel(value: SizeClass): string {
  switch (value) {
    case 'large':
      return t('size_class.large');
    case 'smb':
      return t('size_class.smb');
    case 'individual':
      return t('size_class.individual');
  }
}

export function channelLabel(value: SalesChannel): string {
  switch (value) {
    case 'online_shop':
      return t('channel.online_shop');
    case 'marketplace':
      return t('channel.marketplace');
    case 'store':
      return t('channel.store');
    case 'phone_wechat':
      return t('channel.phone_wechat');
  }
}

export function pipelineLabel(value: PipelineStage): string {
  switch (value) {
    case 'awareness':
      return t('pipeline.awareness');
    case 'interest':
      return t('pipeline.interest');
    case 'decision':
      return t('pipeline.decision');
    case 'purchase':
      return t('pipeline.purchase');
    case 'won':
      return t('pipeline.won');
    case 'lost':
      return t('pipeline.lost');
  }
}

export function interactionKindLabel(value: InteractionKind): string {
  switch (value) {
    case 'call':
      return t('interaction_kind.call');
    case 'visit':
      return t('interaction_kind.visit');
    case 'email':
      return t('interaction_kind.email');
    case 'message':
      return t('interaction_kind.message');
    case 'meeting':
      return t('interaction_kind.meeting');
  }
}

export function timelineKindLabel(value: TimelineKind): string {
  switch (value) {
    case 'contact_added':
      return t('timeline.kind.contact_added');
    case 'order':
      return t('timeline.kind.order');
    case 'service_cost':
      return t('timeline.kind.service_cost');
    case 'loyalty':
      return t('timeline.kind.loyalty');
    case 'interaction':
      return t('timeline.kind.interaction');
    case 'survey_response':
      return t('timeline.kind.survey_response');
    case 'complaint_opened':
      return t('timeline.kind.complaint_opened');
    case 'complaint_resolved':
      return t('timeline.kind.complaint_resolved');
  }
}

export function severityLabel(value: ComplaintSeverity): string {
  switch (value) {
    case 'low':
      return t('severity.low');
    case 'medium':
      return t('severity.medium');
    case 'high':
      return t('severity.high');
    case 'critical':
      return t('severity.critical');
  }
}

export function complaintStatusLabel(value: ComplaintStatus): string {
  switch (value) {
    case 'open':
      return t('complaint_status.open');
    case 'in_progress':
      return t('complaint_status.in_progress');
    case 'resolved':
      return t('complaint_status.resolved');
    case 'closed':
      return t('complaint_status.closed');
  }
}

/** The sentence for a change of loyalty points, e.g. "Earned 120 points". */
export function loyaltyText(kind: LoyaltyKind, points: number): string {
  const count = Math.abs(points);
  switch (kind) {
    case 'earn':
      return t('timeline.loyalty_earn', { count });
    case 'redeem':
      return t('timeline.loyalty_redeem', { count });
    case 'referral_reward':
      return t('timeline.loyalty_referral', { count });
    case 'adjust':
      return points < 0 ? t('timeline.loyalty_adjust_down', { count }) : t('timeline.loyalty_adjust_up', { count });
  }
}

/** A survey answer with its scale, e.g. "NPS 9 / 10". */
export function surveyText(kind: SurveyKind, score: number): string {
  switch (kind) {
    case 'nps':
      return t('timeline.survey_nps', { score });
    case 'csat':
      return t('timeline.survey_csat', { score });
    case 'ces':
      return t('timeline.survey_ces', { score });
  }
}
