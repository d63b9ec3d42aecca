// What the timeline shows for each entry: an icon, a translated line and the details, all
// as plain text (user text is never rendered as HTML).
import type { IconName } from '../components/Icon.svelte';
import type { InteractionKind } from './bindings';
import type { TimelineEntry, TimelinePayload } from './api';
import { formatMoney } from './format';
import { followUpSourceLabel, formatDueAt } from './follow-ups';
import { t } from './i18n.svelte';
import { forVariant, type ByVariant } from './sets';
import {
  channelLabel,
  orderStatusLabel,
  complaintStatusLabel,
  interactionKindLabel,
  loyaltyText,
  severityLabel,
  surveyText,
} from './labels';

export type TimelineView = {
  icon: IconName;
  title: string;
  /** Short facts shown after the title, joined with a dot. */
  meta: string[];
  /** Text the user wrote (outcome, notes, comments), shown as it is. */
  texts: string[];
  /** A highlighted state, e.g. a high-severity complaint. */
  tone: 'neutral' | 'good' | 'warning' | 'danger';
};

const INTERACTION_ICONS: Record<InteractionKind, IconName> = {
  call: 'phone',
  visit: 'map-pin',
  email: 'mail',
  message: 'message',
  meeting: 'users',
};

function money(amountMinor: number, currency: string, locale: string): string {
  try {
    return formatMoney(amountMinor, currency, locale);
  } catch {
    // An amount or a currency code Intl cannot show: say it plainly rather than fail the page.
    return `${amountMinor} ${currency}`;
  }
}

const present = (values: (string | null | undefined)[]): string[] =>
  values.filter((v): v is string => typeof v === 'string' && v !== '');

/** What each kind of entry shows, given its payload and the locale. */
const VIEWS: ByVariant<TimelinePayload, 'type', [string], TimelineView> = {
  contact_added: (p) => ({
    icon: 'user-plus',
    title: t('timeline.contact_added', { name: p.name }),
    meta: present([p.title, p.is_primary ? t('contacts.primary') : null]),
    texts: [],
    tone: 'neutral',
  }),
  order: (p, locale) => ({
    icon: 'cart',
    title: p.status
      ? t('platform.order_not_counted', {
          amount: money(p.amount_minor, p.currency, locale),
          status: orderStatusLabel(p.status),
        })
      : t('timeline.order', { amount: money(p.amount_minor, p.currency, locale) }),
    meta: present([
      p.line_count > 0 ? t('timeline.order_lines', { count: p.line_count }) : null,
      p.channel ? channelLabel(p.channel) : null,
      p.external_id ? t('timeline.order_number', { number: p.external_id }) : null,
    ]),
    texts: [],
    tone: p.status ? 'neutral' : 'good',
  }),
  service_cost: (p, locale) => ({
    icon: 'clock',
    title: t('timeline.service_cost', { amount: money(p.amount_minor, p.currency, locale) }),
    meta: present([p.minutes !== null ? t('timeline.service_minutes', { count: p.minutes }) : null]),
    texts: present([p.notes]),
    tone: 'neutral',
  }),
  loyalty: (p) => ({
    icon: 'gift',
    title: loyaltyText(p.loyalty_kind, p.points),
    meta: [],
    texts: present([p.notes]),
    tone: 'neutral',
  }),
  interaction: (p) => ({
    icon: INTERACTION_ICONS[p.interaction_kind],
    title: interactionKindLabel(p.interaction_kind),
    meta: present([p.owner]),
    texts: present([p.outcome, p.notes]),
    tone: 'neutral',
  }),
  survey_response: (p) => ({
    icon: 'star',
    title: surveyText(p.survey_kind, p.score),
    meta: [],
    texts: present([p.comment]),
    tone: 'neutral',
  }),
  complaint_opened: (p) => ({
    icon: 'alert',
    title: t('timeline.complaint_opened', { category: p.category }),
    meta: [
      t('timeline.severity', { severity: severityLabel(p.severity) }),
      t('timeline.status_now', { status: complaintStatusLabel(p.status) }),
    ],
    texts: present([p.description]),
    tone: p.severity === 'high' || p.severity === 'critical' ? 'danger' : 'warning',
  }),
  follow_up_scheduled: (p, locale) => ({
    icon: 'clock',
    title: t('timeline.follow_up_scheduled', { due: formatDueAt(p.due_at, locale) }),
    meta: present([followUpSourceLabel(p.follow_up_source), p.owner, p.completed ? t('timeline.follow_up_since_done') : null]),
    texts: present([p.reason]),
    tone: 'neutral',
  }),
  follow_up_completed: (p, locale) => ({
    icon: 'check-circle',
    title: t('timeline.follow_up_completed', { due: formatDueAt(p.due_at, locale) }),
    meta: present([followUpSourceLabel(p.follow_up_source), p.owner]),
    texts: present([p.reason]),
    tone: 'good',
  }),
  complaint_resolved: (p) => ({
    icon: 'check-circle',
    title: t('timeline.complaint_resolved', { category: p.category }),
    meta: present([
      p.resolution_hours !== null
        ? t('timeline.resolution_hours', { count: Math.round(p.resolution_hours * 10) / 10 })
        : null,
      t('timeline.severity', { severity: severityLabel(p.severity) }),
    ]),
    texts: [],
    tone: 'good',
  }),
};

export function describeEntry(entry: TimelineEntry, locale: string): TimelineView {
  return forVariant(VIEWS, 'type', entry.payload, locale);
}
