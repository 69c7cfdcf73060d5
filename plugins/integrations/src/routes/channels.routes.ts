import { listPage, type AnyRoute, NoContent, PageQuery, paginate, Reply, type TenantDb, Type, ValidationError, withStatus } from '@plinth/sdk';
import { auditedChannel, recordChange } from '../audit.js';
import { integrationsErrors } from '../errors.js';
import {
  Channel,
  ChannelConfig,
  ChannelCredentials,
  ChannelKind,
  ChannelProvider,
  channelProblems,
  findChannel,
  toChannel,
  type ChannelRow,
} from '../channels/channel-store.js';
import type { Builders } from '../deps.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { IdParams } from './schemas.js';

const NewChannel = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, title: 'Name' }),
    kind: ChannelKind,
    provider: ChannelProvider,
    config: Type.Optional(ChannelConfig),
    credentials: Type.Optional(ChannelCredentials),
    enabled: Type.Optional(Type.Boolean({ title: 'Enabled', default: true })),
  },
  { additionalProperties: false },
);
const ChannelChange = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, title: 'Name' })),
    config: Type.Optional(ChannelConfig),
    credentials: Type.Optional(ChannelCredentials),
    enabled: Type.Optional(Type.Boolean({ title: 'Enabled' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

function check(errors: Record<string, string[]>): void {
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

async function nameTaken(db: TenantDb, name: string, except: string | null): Promise<void> {
  const clash = await db.one('select id from integrations_channels where name = $1 and ($2::uuid is null or id <> $2)', [name, except]);
  if (clash) throw new ValidationError({ name: ['is already used by another channel'] });
}

/** `/channels`: email, SMS and WhatsApp channels with their (sealed) provider credentials. */
export function channelRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/channels',
      summary: 'Channels',
      permission: permissions['channels.manage'],
      schema: { query: Type.Composite([PageQuery, Type.Object({ kind: Type.Optional(ChannelKind) })]), response: Type.Array(Channel) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<ChannelRow>(
          deps.db,
          { select: '*', from: 'integrations_channels', where: '$1::text is null or kind = $1', orderBy: 'name, id', values: [query.kind ?? null] },
          query,
        );
        return Reply.list(items.map(toChannel), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/channels',
      summary: 'Add a channel; credentials are sealed and never shown again',
      permission: permissions['channels.manage'],
      schema: { body: NewChannel, response: withStatus(Channel, 201) },
      async handler({ body, deps }) {
        const config = body.config ?? {};
        check(channelProblems(body.kind, body.provider, config, body.credentials !== undefined));
        await nameTaken(deps.db, body.name, null);
        const [row] = await deps.db.query<ChannelRow>(
          'insert into integrations_channels (name, kind, provider, config, credentials_sealed, enabled) values ($1, $2, $3, $4, $5, $6) returning *',
          [
            body.name,
            body.kind,
            body.provider,
            JSON.stringify(config),
            body.credentials ? deps.secrets.seal(JSON.stringify(body.credentials)) : null,
            body.enabled ?? true,
          ],
        );
        await recordChange(deps.audit, auditedChannel, 'created', { after: row! });
        return Reply.created(toChannel(row!));
      },
    }),
    route({
      method: 'GET',
      path: '/channels/:id',
      summary: 'One channel',
      permission: permissions['channels.manage'],
      schema: { params: IdParams, response: Channel },
      async handler({ params, deps }) {
        return toChannel(await findChannel(deps.db, params.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/channels/:id',
      summary: 'Change a channel (new credentials replace the old)',
      permission: permissions['channels.manage'],
      schema: { params: IdParams, body: ChannelChange, response: Channel },
      async handler({ params, body, deps }) {
        const current = await findChannel(deps.db, params.id);
        const config = body.config ?? current.config;
        check(channelProblems(current.kind, current.provider, config, body.credentials !== undefined || current.credentials_sealed !== null));
        if (body.name) await nameTaken(deps.db, body.name, params.id);
        const [row] = await deps.db.query<ChannelRow>(
          `update integrations_channels set name = coalesce($2, name), config = $3, credentials_sealed = coalesce($4, credentials_sealed),
                  enabled = coalesce($5, enabled), updated_at = now() where id = $1 returning *`,
          [
            params.id,
            body.name ?? null,
            JSON.stringify(config),
            body.credentials ? deps.secrets.seal(JSON.stringify(body.credentials)) : null,
            body.enabled ?? null,
          ],
        );
        await recordChange(deps.audit, auditedChannel, 'updated', { before: current, after: row! });
        return toChannel(row!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/channels/:id',
      summary: 'Remove a channel no rule uses',
      errors: [integrationsErrors.channel_in_use],
      permission: permissions['channels.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const current = await findChannel(deps.db, params.id);
        if (await deps.db.one('select id from integrations_rules where channel_id = $1 limit 1', [params.id])) {
          throw integrationsErrors.channel_in_use('Notification rules still send through this channel');
        }
        await deps.db.query('delete from integrations_channels where id = $1', [params.id]);
        await recordChange(deps.audit, auditedChannel, 'deleted', { before: current });
        return Reply.noContent();
      },
    }),
  ];
}
