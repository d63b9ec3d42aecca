// Labels of the fields of the activity forms (log an interaction, add an order), as the
// backend names them in field errors.
import type { Customer } from './api';
import { t } from './i18n.svelte';
import { labelOf, type Labels } from './labels';

/** What a form that records an activity of a customer (an interaction, an order) is given. */
export type ActivityFormProps = {
  customer: Customer;
  onclose: () => void;
  /** Called once the activity is saved. */
  onsaved: () => void;
};

/** In the order the first field with an error takes the focus. */
export const INTERACTION_FIELDS = [
  'kind',
  'occurred_at',
  'outcome',
  'notes',
  'answers_follow_up',
  'next_follow_up_at',
  'next_follow_up_reason',
] as const;
export type InteractionField = (typeof INTERACTION_FIELDS)[number];

const INTERACTION_FIELD_LABELS = {
  kind: () => t('interaction_form.kind'),
  occurred_at: () => t('interaction_form.occurred_at'),
  outcome: () => t('interaction_form.outcome'),
  notes: () => t('interaction_form.notes'),
  answers_follow_up: () => t('interaction_form.answers_follow_up'),
  next_follow_up_at: () => t('interaction_form.next_follow_up_at'),
  next_follow_up_reason: () => t('interaction_form.next_follow_up_reason'),
  owner: () => t('field.owner'),
  customer_id: () => t('contacts.field.customer'),
} satisfies Labels<InteractionField | 'owner' | 'customer_id'>;

export const interactionFieldLabel = (field: string): string => labelOf(INTERACTION_FIELD_LABELS, field);

export const ORDER_FIELDS = [
  'ordered_on',
  'amount',
  'currency',
  'channel',
  'external_id',
  'product',
  'category',
  'quantity',
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

/** Backend field names shown at another input: a line's amount is the order's amount here. */
export const ORDER_FIELD_ALIASES: Record<string, OrderField> = { line_amount: 'amount' };

const ORDER_FIELD_LABELS = {
  ordered_on: () => t('order_form.ordered_on'),
  amount: () => t('order_form.amount'),
  line_amount: () => t('order_form.amount'),
  currency: () => t('order_form.currency'),
  channel: () => t('order_form.channel'),
  external_id: () => t('order_form.external_id'),
  product: () => t('order_form.product'),
  category: () => t('order_form.category'),
  quantity: () => t('order_form.quantity'),
  cost: () => t('order_form.cost'),
  lines: () => t('order_form.lines'),
  customer_id: () => t('contacts.field.customer'),
} satisfies Labels<OrderField | 'line_amount' | 'cost' | 'lines' | 'customer_id'>;

export const orderFieldLabel = (field: string): string => labelOf(ORDER_FIELD_LABELS, field);
