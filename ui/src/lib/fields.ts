// Labels and messages for the fields of a customer, as the backend names them.
import type { Customer, FieldError } from './api';
import type { CustomerInput_Deserialize, CustomerInput_Serialize } from './bindings';
import { t } from './i18n.svelte';

export type InputField = keyof CustomerInput_Deserialize;

// Every field of CustomerInput, checked against the generated type in both directions.
const INPUT_FIELDS = {
  name: true,
  kind: true,
  company: true,
  phone: true,
  email: true,
  region: true,
  owner: true,
  notes: true,
  external_id: true,
  size_class: true,
  industry: true,
  channels: true,
  tags: true,
  source: true,
  is_kol: true,
  referred_by: true,
  needs: true,
  preferences: true,
  pipeline_stage: true,
} satisfies Record<InputField, true>;

export function isInputField(name: string): name is InputField {
  return Object.hasOwn(INPUT_FIELDS, name);
}

/** The translated label of a field; unknown names are shown as they are. */
export function fieldLabel(name: string): string {
  return isInputField(name) ? t(`field.${name}`) : name;
}

/** The translated message for a failed rule, with its limit filled in. */
export function ruleText(error: FieldError): string {
  return t(`validation.${error.rule}`, { limit: error.limit ?? undefined });
}

/**
 * The whole input of an existing customer. An update replaces the profile, so fields that a
 * form does not show are sent back unchanged rather than cleared.
 */
export function inputFromCustomer(c: Customer): CustomerInput_Serialize {
  return {
    name: c.name,
    kind: c.kind,
    company: c.company,
    phone: c.phone,
    email: c.email,
    region: c.region,
    owner: c.owner,
    notes: c.notes,
    external_id: c.external_id,
    size_class: c.size_class,
    industry: c.industry,
    channels: c.channels,
    tags: c.tags,
    source: c.source,
    is_kol: c.is_kol,
    referred_by: c.referred_by,
    needs: c.needs,
    preferences: c.preferences,
    pipeline_stage: c.pipeline_stage,
  };
}
