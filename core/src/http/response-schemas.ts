import { Type, type ObjectOptions, type TObject, type TProperties } from '@sinclair/typebox';

import { Nullable, Timestamp } from '@plinth/sdk';

export { documentedStatuses, NoContent, Nullable, rawBody, statusKeyword, Timestamp, withStatus } from '@plinth/sdk';

/** An object with exactly these properties: answers document every field they carry. */
export function Exact<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const Uuid = Type.String({ format: 'uuid' });

/** A user as the API shows it (never a hash or a secret). */
export const User = Exact({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  is_super_admin: Type.Boolean(),
  totp_enabled: Type.Boolean(),
  email_verified: Type.Boolean({ description: 'The address is proved (a verification link, an invitation or a sign-in link mailed to it)' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

/** The `tokens` of a sign-in. */
export const TokenPair = Exact({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds the access token lives' }),
});

export const Quotas = Exact({ members: Type.Integer(), api_tokens: Type.Integer(), requests_per_minute: Type.Integer(), storage_bytes: Type.Integer() });

/** A tenant; `quotas` with the host's defaults filled in. */
export const Tenant = Exact({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  billing_status: Type.Union([Type.Literal('ok'), Type.Literal('read_only'), Type.Literal('suspended')], {
    description: 'What dunning does to the tenant: `read_only` (writes refused) or `suspended` (all but billing refused) until it pays',
  }),
  plan: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown()),
  quotas: Quotas,
  time_zone: Type.String({ description: 'IANA time zone' }),
  locale: Type.String({ description: 'BCP 47 language tag' }),
  currency: Type.String({ description: 'ISO 4217 default currency' }),
  logo_file_id: Nullable(Uuid),
  created_at: Timestamp,
  updated_at: Timestamp,
});
