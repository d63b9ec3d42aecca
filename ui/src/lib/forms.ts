// How a form sorts the errors of a failed save: field errors next to the inputs that show
// them, everything else in a banner above the form.
import type { ApiError, FieldError } from './api';

export type SortedErrors = {
  /** Errors for fields the form shows, by field. */
  fields: FieldError[];
  /** Field errors no input on screen can show; listed in the banner. */
  others: FieldError[];
  /** The error for the banner, or null when the field errors say it all. */
  banner: ApiError | null;
};

export function sortErrors(error: ApiError, shown: readonly string[], rename: Record<string, string> = {}): SortedErrors {
  const all = (error.code === 'validation' ? error.details.fields : []).map((f) =>
    Object.hasOwn(rename, f.field) ? { ...f, field: rename[f.field] } : f,
  );
  const fields = all.filter((f) => shown.includes(f.field));
  const others = all.filter((f) => !shown.includes(f.field));
  return { fields, others, banner: fields.length === 0 || others.length > 0 ? error : null };
}
