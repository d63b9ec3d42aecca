// Labels of the fields of the activity forms (log an interaction, add an order), as the
// backend names them in field errors.
import { t } from './i18n.svelte';

export const INTERACTION_FIELDS = ['kind', 'occurred_at', 'outcome', 'next_follow_up_on', 'notes'] as const;
export type InteractionField = (typeof INTERACTION_FIELDS)[number];

export function interactionFieldLabel(field: string): string {
  switch (field) {
    case 'kind':
      return t('interaction_form.kind');
    case 'occurred_at':
      return t('interaction_form.occurred_at');
    case 'outcome':
      return t('interaction_form.outcome');
    case 'next_follow_up_on':
      return t('interaction_form.next_follow_up_on');
    case 'notes':
      return t('interaction_form.notes');
    case 'owner':
      return t('field.owner');
    case 'customer_id':
      return t('contacts.field.customer');
    default:
      return field;
  }
}

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

export function orderFieldLabel(field: string): string {
  switch (field) {
    case 'ordered_on':
      return t('order_form.ordered_on');
    case 'amount':
    case 'line_amount':
      return t('order_form.amount');
    case 'currency':
      return t('order_form.currency');
    case 'channel':
      return t('order_form.channel');
    case 'external_id':
      return t('order_form.external_id');
    case 'product':
      return t('order_form.product');
    case 'category':
      return t('order_form.category');
    case 'quantity':
      return t('order_form.quantity');
    case 'cost':
      return t('order_form.cost');
    case 'lines':
      return t('order_form.lines');
    case 'customer_id':
      return t('contacts.field.customer');
    default:
      return field;
  }
}
