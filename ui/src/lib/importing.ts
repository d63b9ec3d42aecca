// Pure helpers of the import and export screens: the fields each kind of file can fill, the
// progress of a running import, and the default name of an export file.
import type { ExportFormat, Field, ImportKind, ImportMode, ImportStatus, Progress, Reason } from './api';
import { keysOf } from './sets';

export const IMPORT_KINDS = keysOf({
  customers: true,
  orders: true,
  interactions: true,
  survey_responses: true,
  complaints: true,
} satisfies Record<ImportKind, true>);

export const IMPORT_MODES = keysOf({ create: true, update: true, skip: true } satisfies Record<ImportMode, true>);

export const IMPORT_STATUSES = keysOf({
  imported: true,
  dry_run: true,
  rejected: true,
  needs_decision: true,
  needs_mapping: true,
} satisfies Record<ImportStatus, true>);

export const REASONS = keysOf({
  required: true,
  too_long: true,
  invalid_email: true,
  invalid_phone: true,
  invalid_choice: true,
  unknown_reference: true,
  self_reference: true,
  taken: true,
  too_many: true,
  out_of_range: true,
  unparseable: true,
  in_past: true,
  duplicate_in_file: true,
  duplicate_in_database: true,
  possible_duplicate: true,
  unknown_customer: true,
  ambiguous_customer: true,
  date_order_conflict: true,
  masked_customer: true,
  control_character: true,
} satisfies Record<Reason, true>);

/** The fields a column of each kind of file can be mapped to, in the backend's order. */
export const FIELDS_BY_KIND: Record<ImportKind, readonly Field[]> = {
  customers: [
    'external_id',
    'name',
    'customer_kind',
    'company',
    'phone',
    'email',
    'region',
    'owner',
    'tags',
    'source',
    'industry',
    'size_class',
    'channel',
    'notes',
  ],
  orders: [
    'external_id',
    'name',
    'phone',
    'email',
    'order_number',
    'date',
    'amount',
    'cost',
    'currency',
    'product',
    'category',
    'quantity',
    'channel',
    'status',
    'refund_status',
  ],
  interactions: ['external_id', 'name', 'phone', 'email', 'interaction_type', 'date', 'outcome', 'notes', 'next_follow_up', 'owner'],
  survey_responses: ['external_id', 'name', 'phone', 'email', 'survey_type', 'score', 'comment', 'date'],
  complaints: [
    'external_id',
    'name',
    'phone',
    'email',
    'date',
    'category',
    'severity',
    'status',
    'description',
    'resolved_at',
    'resolution',
    'first_response_at',
  ],
};

/**
 * The columns an activity file can name its customer by; any one will do. A missing
 * `external_id` in such a file stands for all four.
 */
export const CUSTOMER_KEYS: readonly Field[] = ['external_id', 'phone', 'email', 'name'];

/** The customer columns to highlight: all four when the file has none of them. */
export function missingCustomerKeys(kind: ImportKind, missing: ReadonlySet<Field>): ReadonlySet<Field> {
  return new Set(kind !== 'customers' && missing.has('external_id') ? CUSTOMER_KEYS : []);
}

/** How far an import is, 0–100, or null while the size of the file is not known. */
export function progressPercent(progress: Progress | null): number | null {
  if (!progress || progress.bytes_total <= 0) return null;
  const ratio = progress.bytes_done / progress.bytes_total;
  return Math.max(0, Math.min(100, Math.round(ratio * 100)));
}

/** `2025-06-01` for the local calendar day of `date`. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Joins a folder and a file name with the folder's own separator. */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir === '' ? name : dir.endsWith(sep) ? dir + name : dir + sep + name;
}

export function defaultExportName(day: string, format: ExportFormat): string {
  return `headtail-customers-${day}.${format}`;
}

/** The path with its extension changed to the format's (or added when it has none). */
export function withExtension(path: string, format: ExportFormat): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  const stem = dot > slash + 1 ? path.slice(0, dot) : path;
  return `${stem}.${format}`;
}

/** The file name at the end of a path. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
