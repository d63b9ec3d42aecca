import type { ApiError } from './api';
import { t } from './i18n.svelte';

/** The user-facing sentence for an error, in the current language. */
export function errorText(error: ApiError): string {
  return t(`error.${error.code}`, { ...error.details.params });
}
