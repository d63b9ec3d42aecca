// Follow-ups in the UI: the agenda's buckets, where a follow-up came from, how far it can be
// put off, and its due time, which is local wall-clock time like the backend keeps it.
import type { AgendaBucket, FollowUpSource } from './bindings';
import type { SnoozeFor } from './api';
import { formatLocalDate, formatLocalTime, localDateTimeValue } from './format';
import { t } from './i18n.svelte';
import { keysOf } from './sets';
import type { Labels } from './labels';

const BUCKET_LABELS = {
  overdue: () => t('follow_ups.bucket.overdue'),
  today: () => t('follow_ups.bucket.today'),
  this_week: () => t('follow_ups.bucket.this_week'),
  later: () => t('follow_ups.bucket.later'),
} satisfies Labels<AgendaBucket>;

const SOURCE_LABELS = {
  manual: () => t('follow_ups.source.manual'),
  interaction: () => t('follow_ups.source.interaction'),
  detractor: () => t('follow_ups.source.detractor'),
  complaint: () => t('follow_ups.source.complaint'),
  bulk: () => t('follow_ups.source.bulk'),
} satisfies Labels<FollowUpSource>;

const SNOOZE_LABELS = {
  one_hour: () => t('follow_ups.snooze.one_hour'),
  tomorrow: () => t('follow_ups.snooze.tomorrow'),
  next_week: () => t('follow_ups.snooze.next_week'),
} satisfies Labels<SnoozeFor>;

/** In the agenda's order, from the most pressing. */
export const BUCKETS = keysOf(BUCKET_LABELS);
export const SNOOZES = keysOf(SNOOZE_LABELS);

export const bucketLabel = (value: AgendaBucket): string => BUCKET_LABELS[value]();
export const followUpSourceLabel = (value: FollowUpSource): string => SOURCE_LABELS[value]();
export const snoozeLabel = (value: SnoozeFor): string => SNOOZE_LABELS[value]();

/** "Mar 4, 2025 09:30" from a local "2025-03-04T09:30:00". */
export function formatDueAt(text: string, locale: string): string {
  const time = formatLocalTime(text, locale);
  return time === '' ? formatLocalDate(text, locale) : `${formatLocalDate(text, locale)} ${time}`;
}

/** Due before `now` (local "YYYY-MM-DDTHH:MM…" texts compare in time order). */
export function isOverdue(dueAt: string, now: Date = new Date()): boolean {
  return dueAt < `${localDateTimeValue(now)}:00`;
}

/** The earliest a picker may offer: this minute, as "YYYY-MM-DDTHH:MM". */
export const earliestDue = (now: Date = new Date()): string => localDateTimeValue(now);

/** A datetime-local value with seconds, as the backend reads local times; '' stays ''. */
export const withSeconds = (value: string): string => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value);

/** The default time offered for a new follow-up: nine tomorrow morning. */
export function tomorrowMorning(now: Date = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
  return localDateTimeValue(d);
}

const OWNER_KEY = 'headtail.agenda.owner';

/** The owner the agenda showed last, or null for everyone. */
export function rememberedOwner(): string | null {
  try {
    return localStorage.getItem(OWNER_KEY);
  } catch {
    return null;
  }
}

export function rememberOwner(owner: string | null): void {
  try {
    if (owner === null) localStorage.removeItem(OWNER_KEY);
    else localStorage.setItem(OWNER_KEY, owner);
  } catch {
    // Storage may be off; the agenda then starts with everyone.
  }
}
