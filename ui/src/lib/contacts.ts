// Labels of the fields of a contact, as the backend names them in field errors.
import type { ContactInput_Deserialize } from './bindings';
import { t } from './i18n.svelte';

export type ContactField = Exclude<keyof ContactInput_Deserialize, 'customer_id'>;

export const CONTACT_FIELDS = Object.keys({
  name: true,
  title: true,
  phone: true,
  email: true,
  wechat: true,
  is_primary: true,
  notes: true,
} satisfies Record<ContactField, true>) as ContactField[];

export function contactFieldLabel(field: string): string {
  switch (field) {
    case 'name':
      return t('contacts.field.name');
    case 'title':
      return t('contacts.field.title');
    case 'phone':
      return t('contacts.field.phone');
    case 'email':
      return t('contacts.field.email');
    case 'wechat':
      return t('contacts.field.wechat');
    case 'is_primary':
      return t('contacts.field.is_primary');
    case 'notes':
      return t('contacts.field.notes');
    case 'customer_id':
      return t('contacts.field.customer');
    default:
      return field;
  }
}
