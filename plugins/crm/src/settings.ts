import { Type, type Static } from '@plinth/sdk';

/** One custom field contacts may carry, keyed by `key` in `custom_fields`. */
export const CustomFieldDefinition = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', title: 'Key', description: 'The key in custom_fields (and the CSV column custom.<key>)' }),
    label: Type.String({ minLength: 1, maxLength: 80, title: 'Label' }),
    type: Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('date'), Type.Literal('select')], { title: 'Type' }),
    /** The allowed values of a `select` field. */
    options: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, title: 'Choices', description: 'For a select field' })),
    required: Type.Optional(Type.Boolean({ title: 'Required' })),
  },
  { additionalProperties: false, title: 'Custom field' },
);
export type CustomFieldDefinition = Static<typeof CustomFieldDefinition>;

/** Each tenant's CRM settings. */
export const CrmSettings = Type.Object(
  {
    customFields: Type.Array(CustomFieldDefinition, { default: [], maxItems: 100, title: 'Custom fields', description: 'Custom fields contacts may carry' }),
    captureRegisteredUsers: Type.Boolean({
      default: false,
      title: 'Add registered users',
      description: 'Add a contact when a user registers with this tenant (core.user.registered)',
    }),
    defaultSource: Type.String({
      default: 'manual',
      minLength: 1,
      maxLength: 40,
      title: 'Default source',
      description: 'Source of contacts created without one',
    }),
    campaignBatchSize: Type.Integer({
      default: 100,
      minimum: 1,
      maximum: 1000,
      title: 'Campaign batch size',
      description: 'Recipients a campaign send step claims and mails at once',
    }),
    trackingBaseUrl: Type.String({
      default: '',
      maxLength: 200,
      pattern: '^(https?://[^\\s/?#]+)?$',
      title: 'Tracking links origin',
      description: 'Origin of tracking and unsubscribe links in campaign mail (e.g. https://crm.example.com); empty: the origin the send request came to',
    }),
  },
  { additionalProperties: false },
);
export type CrmSettings = Static<typeof CrmSettings>;
