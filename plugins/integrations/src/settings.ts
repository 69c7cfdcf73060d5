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
  },
  { additionalProperties: false },
);
