// Labels of the fields of a contact, as the backend names them in field errors.
import type { ContactInput_Deserialize } from './bindings';
import { t } from './i18n.svelte';
import { keysOf } from './sets';
import { labelOf, type Labels } from './labels';

export type ContactField = Exclude<keyof ContactInput_Deserialize, 'customer_id'>;

/** In screen order. */
const CONTACT_FIELD_LABELS = {
  name: () => t('contacts.field.name'),
  title: () => t('contacts.field.title'),
  phone: () => t('contacts.field.phone'),
  email: () => t('contacts.field.email'),
  wechat: () => t('contacts.field.wechat'),
  is_primary: () => t('contacts.field.is_primary'),
  notes: () => t('contacts.field.notes'),
} satisfies Labels<ContactField>;

export const CONTACT_FIELDS = keysOf(CONTACT_FIELD_LABELS);

export const contactFieldLabel = (field: string): string =>
  field === 'customer_id' ? t('contacts.field.customer') : labelOf(CONTACT_FIELD_LABELS, field);
