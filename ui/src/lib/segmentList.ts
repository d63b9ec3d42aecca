// The customer list by segment: the standing filters of a list query, the text of a failed
// list action, and what the row shows of a standing.
import type { ApiError, CustomerQuery } from './api';
import type { Lifecycle, RfmSegment, ServiceLevel, Tier, ValueClass } from './bindings';
import { errorText } from './errors';
import { ruleText } from './fields';
import { LIFECYCLES, SEGMENTS, SERVICE_LEVELS, TIERS, VALUE_CLASSES } from './evaluation';
import { lifecycleLabel, segmentLabel, serviceLevelLabel, tierLabel, valueClassLabel } from './evaluation';
import { t } from './i18n.svelte';

export type StandingFilters = {
  tiers: Tier[];
  segments: RfmSegment[];
  value_classes: ValueClass[];
  lifecycles: Lifecycle[];
  service_levels: ServiceLevel[];
};

export type StandingKey = keyof StandingFilters;

export const NO_STANDING_FILTERS: StandingFilters = {
  tiers: [],
  segments: [],
  value_classes: [],
  lifecycles: [],
  service_levels: [],
};

/** Each filter: its query field, title, values in list order and their labels. */
export const STANDING_FILTERS: { key: StandingKey; title: () => string; values: readonly string[]; label: (v: string) => string }[] = [
  { key: 'tiers', title: () => t('segment_list.filter_tier'), values: TIERS, label: (v) => tierLabel(v as Tier) },
  { key: 'segments', title: () => t('segment_list.filter_segment'), values: SEGMENTS, label: (v) => segmentLabel(v as RfmSegment) },
  {
    key: 'value_classes',
    title: () => t('segment_list.filter_value_class'),
    values: VALUE_CLASSES,
    label: (v) => valueClassLabel(v as ValueClass),
  },
  { key: 'lifecycles', title: () => t('segment_list.filter_lifecycle'), values: LIFECYCLES, label: (v) => lifecycleLabel(v as Lifecycle) },
  {
    key: 'service_levels',
    title: () => t('segment_list.filter_service_level'),
    values: SERVICE_LEVELS,
    label: (v) => serviceLevelLabel(v as ServiceLevel),
  },
];

export const hasStandingFilter = (f: StandingFilters): boolean => Object.values(f).some((values) => values.length > 0);

/** The filters as query fields, those that keep everyone left out. */
export function standingQuery(f: StandingFilters): Partial<StandingFilters> {
  return Object.fromEntries(Object.entries(f).filter(([, values]) => values.length > 0));
}

/** The standing filters a query holds (a saved view's, say). */
export function standingFiltersOf(q: CustomerQuery): StandingFilters {
  return {
    tiers: [...(q.tiers ?? [])],
    segments: [...(q.segments ?? [])],
    value_classes: [...(q.value_classes ?? [])],
    lifecycles: [...(q.lifecycles ?? [])],
    service_levels: [...(q.service_levels ?? [])],
  };
}

/** A failed action's sentence: the fields' own words for a validation error. */
export function failureText(error: ApiError): string {
  if (error.code === 'validation' && error.details.fields.length > 0) {
    return error.details.fields.map((f) => ruleText(f)).join(' ');
  }
  return errorText(error);
}

/** Whether a local wall-clock follow-up time is before `now`. */
export function isOverdue(due: string, now: Date = new Date()): boolean {
  const at = new Date(due);
  return !Number.isNaN(at.getTime()) && at.getTime() < now.getTime();
}
