import type { ApiError } from './api';
import { t } from './i18n.svelte';

/** The user-facing sentence for an error, in the current language. */
export function errorText(error: ApiError): string {
  // "not_found" speaks of a customer; a contact or an order gone missing gets its own words.
  const entity = error.details.params.entity;
  if (error.code === 'not_found' && entity === 'file') return t('error.not_found_file');
  if (error.code === 'not_found' && entity !== undefined && entity !== 'customer') return t('error.not_found_record');
  return t(`error.${error.code}`, { ...error.details.params });
}
