// The state of a form that saves through the backend: sending once at a time, the field
// errors of a refused save shown at their inputs with the focus on the first, and whatever
// no input can show in a banner above the form.
import { tick } from 'svelte';
import type { ApiError, FieldError, Result } from './api';
import { sortErrors } from './forms';

export type Form<F extends string> = {
  /** What the form edits (`customer`, `order` …): the start of its ids and test ids. */
  readonly name: string;
  readonly saving: boolean;
  /** The error for the banner above the form, or null. */
  readonly banner: ApiError | null;
  /** Field errors no input on screen shows; the banner lists them. */
  readonly others: FieldError[];
  /** The translated name of a field, also of one the form does not show. */
  label: (field: string) => string;
  /** The id of a field's control, `<name>-<field>`; its error is `<id>-error`. */
  id: (field: F) => string;
  errorFor: (field: F) => FieldError | undefined;
  dismiss: () => void;
  /** Shows an error of something other than a save (a delete) in the banner. */
  fail: (error: ApiError) => void;
  /**
   * Sends what `send` builds, unless `unreadable` lists fields whose text could not be
   * turned into something to send; `saved` gets the answer of a save that went through.
   */
  save: <T>(send: () => Promise<Result<T>>, saved: (data: T) => void, unreadable?: FieldError[]) => Promise<void>;
  /**
   * Values set without typing (a WebDriver "clear", autofill) announce themselves with a
   * change event only, while bind:value follows input events: copies such a value into the
   * form's text values. For the form's `onchange`.
   */
  catchUp: (event: Event) => void;
};

/**
 * `fields` are the fields the form shows, in screen order: the first one with an error gets
 * the focus. `texts` holds the values of its text inputs by field (a `$state` record).
 * `rename` maps backend field names to the field that shows their errors.
 */
export function createForm<F extends string>(
  name: string,
  fields: readonly F[],
  options: { label: (field: string) => string; texts?: Record<string, string>; rename?: Record<string, F> },
): Form<F> {
  let saving = $state(false);
  let errors = $state<FieldError[]>([]);
  let others = $state<FieldError[]>([]);
  let banner = $state<ApiError | null>(null);

  const id = (field: F): string => `${name}-${field}`;
  const errorFor = (field: F): FieldError | undefined => errors.find((e) => e.field === field);

  async function focusFirstError(): Promise<void> {
    const first = fields.find((f) => errorFor(f));
    if (first === undefined) return;
    await tick();
    const element = document.getElementById(id(first));
    // A group of checkboxes takes the focus on its first box.
    const control = element instanceof HTMLFieldSetElement ? element.querySelector('input') : element;
    control?.focus();
  }

  async function save<T>(
    send: () => Promise<Result<T>>,
    saved: (data: T) => void,
    unreadable: FieldError[] = [],
  ): Promise<void> {
    if (saving) return;
    banner = null;
    others = [];
    if (unreadable.length > 0) {
      errors = unreadable;
      await focusFirstError();
      return;
    }
    saving = true;
    const result = await send();
    saving = false;
    if (result.ok) {
      errors = [];
      saved(result.data);
      return;
    }
    const sorted = sortErrors(result.error, fields, options.rename);
    errors = sorted.fields;
    others = sorted.others;
    banner = sorted.banner;
    await focusFirstError();
  }

  function catchUp(event: Event): void {
    const control = event.target;
    const texts = options.texts;
    if (!texts || !(control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement)) return;
    if (control.type === 'checkbox' || !control.id.startsWith(`${name}-`)) return;
    const field = control.id.slice(name.length + 1);
    if (Object.hasOwn(texts, field)) texts[field] = control.value;
  }

  return {
    name,
    get saving() {
      return saving;
    },
    get banner() {
      return banner;
    },
    get others() {
      return others;
    },
    label: options.label,
    id,
    errorFor,
    dismiss: () => {
      banner = null;
    },
    fail: (error) => {
      others = [];
      banner = error;
    },
    save,
    catchUp,
  };
}

/** The text values of `fields` in `source` as a form edits them: '' for none, or for a new record. */
export function textsOf<K extends string>(
  source: Partial<Record<K, string | null>> | null,
  fields: readonly K[],
): Record<K, string> {
  return Object.fromEntries(fields.map((field) => [field, source?.[field] ?? ''])) as Record<K, string>;
}

/** Puts the focus in the control a form opens on. */
export function focusOnMount(element: HTMLElement): void {
  element.focus();
}
