// My day's owner filter, remembered on this machine, and the counts the sidebar shows
// beside My day. The counts are asked for again when the window comes back into focus and
// after the user does something.
import { api, type MyDayCounts, type MyDayItem, type MyDaySection, type NextStep } from './api';
import { t } from './i18n.svelte';
import type { Labels } from './labels';
import { latestOnly } from './loader.svelte';

const OWNER_KEY = 'headtail.my-day.owner';

function remembered(): string | null {
  try {
    return localStorage.getItem(OWNER_KEY);
  } catch {
    return null;
  }
}

let owner = $state<string | null>(remembered());
let counts = $state<MyDayCounts | null>(null);
const latest = latestOnly();

export const myDay = {
  /** One owner's day, or everyone's (null). */
  get owner(): string | null {
    return owner;
  },
  /** The sidebar's figures, or null until they have been read (or when they cannot be). */
  get counts(): MyDayCounts | null {
    return counts;
  },
};

export function chooseOwner(next: string | null): void {
  owner = next;
  try {
    if (next === null) localStorage.removeItem(OWNER_KEY);
    else localStorage.setItem(OWNER_KEY, next);
  } catch {
    // Storage may be unavailable; the choice still holds until the window closes.
  }
  void refreshCounts();
}

export async function refreshCounts(): Promise<void> {
  const result = await latest(api.myDayCounts(owner));
  if (result === null) return;
  counts = result.ok ? result.data : null;
}

/** The sections in the order they are shown. */
export const SECTIONS: readonly MyDaySection[] = [
  'overdue_follow_ups',
  'today_follow_ups',
  'late_complaints',
  'new_detractors',
  'no_contact',
  'at_risk',
];

/** The sections that need an evaluation: head customers come from the latest one. */
export const HEAD_SECTIONS: readonly MyDaySection[] = ['no_contact', 'at_risk'];

/** What a next-step button opens: the profile's interaction form, or the profile itself. */
export function opensInteractionForm(item: MyDayItem): boolean {
  return item.next_step !== 'respond_to_complaint';
}

export const SECTION_TITLES = {
  overdue_follow_ups: () => t('my_day.section.overdue_follow_ups'),
  today_follow_ups: () => t('my_day.section.today_follow_ups'),
  no_contact: () => t('my_day.section.no_contact'),
  at_risk: () => t('my_day.section.at_risk'),
  late_complaints: () => t('my_day.section.late_complaints'),
  new_detractors: () => t('my_day.section.new_detractors'),
} satisfies Labels<MyDaySection>;

export const STEP_LABELS = {
  log_interaction: () => t('my_day.step.log_interaction'),
  schedule_follow_up: () => t('my_day.step.schedule_follow_up'),
  respond_to_complaint: () => t('my_day.step.respond_to_complaint'),
  call_detractor: () => t('my_day.step.call_detractor'),
} satisfies Labels<NextStep>;
