import { NotFoundError, Type, type Static, type TenantDb } from '@plinth/sdk';
import { iso } from '../util.js';

export const ChannelKind = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('whatsapp')], { title: 'Kind' });
export type ChannelKind = Static<typeof ChannelKind>;
export const ChannelProvider = Type.Union([Type.Literal('mailer'), Type.Literal('twilio'), Type.Literal('log')], {
  title: 'Provider',
  description: "mailer: the host's mail; twilio: SMS and WhatsApp; log: written to the log only (testing)",
});
export type ChannelProvider = Static<typeof ChannelProvider>;

/** Non-secret provider settings. */
export const ChannelConfig = Type.Object(
  {
    account_sid: Type.Optional(Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', title: 'Twilio account SID' })),
    from: Type.Optional(
      Type.String({
        pattern: '^(\\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$',
        title: 'Sender',
        description: 'A phone number in international form (+15551234567) or a messaging service SID (MG…)',
      }),
    ),
  },
  { additionalProperties: false, title: 'Provider settings' },
);
export type ChannelConfig = Static<typeof ChannelConfig>;

/** Secret provider settings: sealed at rest, never answered. */
export const ChannelCredentials = Type.Object(
  { auth_token: Type.String({ minLength: 8, maxLength: 200, title: 'Auth token' }) },
  { additionalProperties: false, title: 'Credentials', description: 'Kept sealed; never shown again' },
);

/** A channel as the API shows it: `has_credentials`, never the credentials. */
export const Channel = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: ChannelKind,
  provider: ChannelProvider,
  config: ChannelConfig,
  has_credentials: Type.Boolean(),
  enabled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type Channel = Static<typeof Channel>;

export interface ChannelRow {
  id: string;
  name: string;
  kind: ChannelKind;
  provider: ChannelProvider;
  config: ChannelConfig;
  credentials_sealed: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

export function toChannel({ credentials_sealed, created_at, updated_at, ...rest }: ChannelRow): Channel {
  return { ...rest, has_credentials: credentials_sealed !== null, created_at: iso(created_at)!, updated_at: iso(updated_at)! };
}

export async function findChannel(db: TenantDb, id: string): Promise<ChannelRow> {
  const row = await db.one<ChannelRow>('select * from integrations_channels where id = $1', [id]);
  if (!row) throw new NotFoundError('Channel not found');
  return row;
}

/** Field errors of a channel's provider setup (providers allowed for the kind, what Twilio needs). */
export function channelProblems(kind: ChannelKind, provider: ChannelProvider, config: ChannelConfig, hasCredentials: boolean): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (kind === 'email' && provider === 'twilio') errors.provider = ['email goes through the mailer (or log)'];
  if (kind !== 'email' && provider === 'mailer') errors.provider = [`${kind} goes through twilio (or log)`];
  if (provider === 'twilio') {
    if (!config.account_sid) errors['config.account_sid'] = ['is required for twilio'];
    if (!config.from) errors['config.from'] = ['is required for twilio'];
    if (!hasCredentials) errors['credentials.auth_token'] = ['is required for twilio'];
  }
  return errors;
}
