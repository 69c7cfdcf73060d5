import { Type, Widget } from '@plinth/sdk';

/** Each tenant's payments settings. Provider credentials are not settings: they are sealed, under `PUT /providers/:name`. */
export const PaymentsSettings = Type.Object(
  {
    default_provider: Type.String({
      minLength: 1,
      maxLength: 40,
      default: 'test',
      title: 'Default provider',
      description: 'Provider used when an intent names none',
    }),
    test_provider_enabled: Type.Boolean({ default: true, title: 'Test gateway', description: 'Allow the built-in test gateway (development)' }),
    manual_instructions: Widget(
      Type.String({
        maxLength: 2000,
        default: 'Pay by bank transfer; quote the payment reference.',
        title: 'Manual payment instructions',
        description: 'Shown to payers of manual payments',
      }),
      'textarea',
    ),
    return_origins: Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$', maxLength: 200 }), {
      maxItems: 20,
      uniqueItems: true,
      default: [],
      title: 'Return addresses',
      description:
        "Origins (https://shop.example.com) of your own front ends a payer may be sent back to after a redirect gateway; this host's pages of the tenant are always allowed",
    }),
    dunning_max_attempts: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 3,
      title: 'Renewal attempts',
      description: 'Renewal attempts before a subscription is cancelled',
    }),
    dunning_retry_minutes: Type.Integer({
      minimum: 1,
      maximum: 43200,
      default: 1440,
      title: 'Minutes between attempts',
      description: 'Minutes between renewal attempts',
    }),
  },
  { additionalProperties: false },
);
