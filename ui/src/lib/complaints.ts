// Field lists and labels of the complaint, loyalty and work-settings forms, as the backend
// names their fields in errors, and the small texts their lists share.
import type { ComplaintSeverity, LoyaltyKind } from './bindings';
import type { WorkSettings } from './api';
import { t } from './i18n.svelte';
import { formatLocalDate, formatLocalTime, formatNumber } from './format';
import { labelOf, type Labels } from './labels';
import { keysOf } from './sets';

/** In the order the first field with an error takes the focus. */
export const COMPLAINT_FIELDS = ['category', 'severity', 'opened_at', 'description'] as const;
export type ComplaintField = (typeof COMPLAINT_FIELDS)[number];

const COMPLAINT_FIELD_LABELS = {
  category: () => t('complaints.field.category'),
  severity: () => t('complaints.field.severity'),
  opened_at: () => t('complaints.field.opened_at'),
  description: () => t('complaints.field.description'),
  resolution: () => t('complaints.field.resolution'),
  resolved_at: () => t('complaints.field.resolved_at'),
  first_response_at: () => t('complaints.field.first_response_at'),
  customer_id: () => t('contacts.field.customer'),
} satisfies Labels<ComplaintField | 'resolution' | 'resolved_at' | 'first_response_at' | 'customer_id'>;

export const complaintFieldLabel = (field: string): string => labelOf(COMPLAINT_FIELD_LABELS, field);

export const SEVERITIES = keysOf({ low: true, medium: true, high: true, critical: true } satisfies Record<
  ComplaintSeverity,
  true
>);

export const LOYALTY_FIELDS = ['kind', 'points', 'occurred_on', 'referred_customer_id', 'notes'] as const;
export type LoyaltyField = (typeof LOYALTY_FIELDS)[number];

const LOYALTY_FIELD_LABELS = {
  kind: () => t('loyalty.field.kind'),
  points: () => t('loyalty.field.points'),
  occurred_on: () => t('loyalty.field.occurred_on'),
  referred_customer_id: () => t('loyalty.field.referred_customer'),
  notes: () => t('loyalty.field.notes'),
  order_id: () => t('loyalty.field.order'),
  customer_id: () => t('contacts.field.customer'),
} satisfies Labels<LoyaltyField | 'order_id' | 'customer_id'>;

export const loyaltyFieldLabel = (field: string): string => labelOf(LOYALTY_FIELD_LABELS, field);

/** The kinds the form offers; adjustments are corrections, made elsewhere. */
export const LOYALTY_FORM_KINDS = ['earn', 'redeem', 'referral_reward'] as const satisfies readonly LoyaltyKind[];

const LOYALTY_KIND_LABELS = {
  earn: () => t('loyalty.kind.earn'),
  redeem: () => t('loyalty.kind.redeem'),
  referral_reward: () => t('loyalty.kind.referral_reward'),
  adjust: () => t('loyalty.kind.adjust'),
} satisfies Labels<LoyaltyKind>;

export const loyaltyKindLabel = (kind: LoyaltyKind): string => LOYALTY_KIND_LABELS[kind]();

/** The work settings in form order; every one is a number. */
export const WORK_FIELDS = [
  'response_hours_vip',
  'response_hours_priority',
  'response_hours_standard',
  'response_hours_self_service',
  'loyalty_points_per_yuan',
  'no_contact_days',
  'new_detractor_days',
  'nps_detractor_max',
  'csat_detractor_max',
  'ces_detractor_max',
] as const satisfies readonly (keyof WorkSettings)[];
export type WorkField = (typeof WORK_FIELDS)[number];

const WORK_FIELD_LABELS = {
  response_hours_vip: () => t('work_settings.field.response_hours_vip'),
  response_hours_priority: () => t('work_settings.field.response_hours_priority'),
  response_hours_standard: () => t('work_settings.field.response_hours_standard'),
  response_hours_self_service: () => t('work_settings.field.response_hours_self_service'),
  loyalty_points_per_yuan: () => t('work_settings.field.loyalty_points_per_yuan'),
  no_contact_days: () => t('work_settings.field.no_contact_days'),
  new_detractor_days: () => t('work_settings.field.new_detractor_days'),
  nps_detractor_max: () => t('work_settings.field.nps_detractor_max'),
  csat_detractor_max: () => t('work_settings.field.csat_detractor_max'),
  ces_detractor_max: () => t('work_settings.field.ces_detractor_max'),
} satisfies Labels<WorkField>;

export const workFieldLabel = (field: string): string => labelOf(WORK_FIELD_LABELS, field);

/** A local date-time such as "Apr 2, 2025 9:00 AM". */
export function localStamp(text: string, locale: string): string {
  const time = formatLocalTime(text, locale);
  return time === '' ? formatLocalDate(text, locale) : `${formatLocalDate(text, locale)} ${time}`;
}

/** Hours to one decimal, e.g. "30.5 h" / "30.5 小时". */
export const hoursText = (hours: number, locale: string): string =>
  t('complaints.hours', { hours: formatNumber(Math.round(hours * 10) / 10, locale) });

/** A number typed in a form, or null when it is not one. */
export function parseNumber(text: string): number | null {
  const plain = text.normalize('NFKC').trim();
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(plain)) return null;
  const n = Number(plain);
  return Number.isFinite(n) ? n : null;
}
