import { defineErrors } from '@plinth/sdk';

/** The integrations plugin's own error codes; routes list the ones they answer in `errors`. */
export const integrationsErrors = defineErrors('integrations', {
  shop_not_enabled: { status: 409, description: 'The shop plugin is not enabled for this tenant, so WooCommerce cannot sync into it' },
  invalid_signature: { status: 401, description: 'The signature header does not match the body' },
  channel_in_use: { status: 409, description: 'Notification rules still send through this channel' },
  endpoint_disabled: { status: 409, description: 'The webhook endpoint is disabled' },
  template_in_use: { status: 409, description: 'Notification rules still use this template' },
});
