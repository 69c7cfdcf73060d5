import { Type } from '@plinth/sdk';

/** Per-tenant settings of Integrations. */
export const IntegrationsSettings = Type.Object(
  {
    /** An endpoint failing without a single success for this long is disabled (and its admins told). */
    disableEndpointAfterHours: Type.Integer({
      minimum: 1,
      maximum: 24 * 30,
      default: 120,
      title: 'Disable failing endpoints after (hours)',
      description: 'An endpoint without a single success for this long is disabled, and its admins told',
    }),
    /** How often WooCommerce stores are reconciled through their REST API. */
    wooReconcileInterval: Type.Union([Type.Literal('15 minutes'), Type.Literal('1 hour'), Type.Literal('6 hours'), Type.Literal('1 day')], {
      default: '1 hour',
      title: 'WooCommerce reconciliation',
      description: 'How often WooCommerce stores are checked for changes missed by webhooks',
    }),
    /** The SMS channel (by name) that sends the kernel's notifications; none: the first enabled SMS channel by name. */
    notificationSmsChannel: Type.String({
      maxLength: 100,
      default: '',
      title: 'SMS channel for notifications',
      description: 'The name of the SMS channel that sends notifications; none: the first enabled SMS channel by name',
    }),
    /** The WhatsApp channel (by name) that sends the kernel's notifications; none: the first enabled one by name. */
    notificationWhatsappChannel: Type.String({
      maxLength: 100,
      default: '',
      title: 'WhatsApp channel for notifications',
      description: 'The name of the WhatsApp channel that sends notifications; none: the first enabled WhatsApp channel by name',
    }),
  },
  { additionalProperties: false },
);
