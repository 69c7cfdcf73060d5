import { listPage, type AnyRoute, BadRequestError, NoContent, NotFoundError, PageQuery, paginate, Reply, Type, withStatus } from '@plinth/sdk';
import { auditedSource, recordChange } from '../audit.js';
import { integrationsErrors } from '../errors.js';
import type { Builders } from '../deps.js';
import { hmacSha256, header, sameSignature } from '../inbound/hmac.js';
import { findSource, InboundSource, newInboundSecret, toSource, type SourceRow } from '../inbound/source-store.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { iso } from '../util.js';
import { IdParams } from './schemas.js';

const sourceFields = { name: Type.String({ minLength: 1, maxLength: 100, title: 'Name' }), enabled: Type.Optional(Type.Boolean({ title: 'Enabled' })) };
/** A new source: enabled unless told otherwise (as the server does when `enabled` is left out). */
const NewSource = Type.Object({ ...sourceFields, enabled: Type.Optional(Type.Boolean({ title: 'Enabled', default: true })) }, { additionalProperties: false });
const SourceChange = Type.Partial(Type.Object(sourceFields), { additionalProperties: false, minProperties: 1 });
const WithSecret = Type.Composite([InboundSource, Type.Object({ secret: Type.String() })]);
const Message = Type.Object({
  id: Type.String({ format: 'uuid' }),
  content_type: Type.Union([Type.String(), Type.Null()]),
  headers: Type.Record(Type.String(), Type.String()),
  body: Type.String(),
  payload: Type.Unknown(),
  created_at: Type.String(),
});
const ReceiveParams = Type.Object({ tenant: Type.String(), sourceId: Type.String() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-request-id', 'x-event-type', 'x-delivery-id'];

/** The body as data: JSON, or a form as an object of strings; `null` for anything else. */
function parsePayload(contentType: string | null, raw: Buffer): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new BadRequestError('The body is not valid JSON');
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  return null;
}

/** `/inbound-sources` (managed) and `/inbound/:tenant/:sourceId` (public, HMAC-verified). */
export function inboundRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/inbound-sources',
      summary: 'Generic inbound webhook sources',
      permission: permissions['webhooks.view'],
      schema: { query: PageQuery, response: Type.Array(InboundSource) },
      async handler({ query, deps, ctx }) {
        const { items, total } = await listPage<SourceRow>(deps.db, { select: '*', from: 'integrations_inbound_sources', orderBy: 'created_at, id' }, query);
        return Reply.list(
          items.map((row) => toSource(row, ctx.tenant.slug)),
          paginate(query, total),
        );
      },
    }),
    route({
      method: 'POST',
      path: '/inbound-sources',
      summary: 'Add a source; its secret is in this answer only',
      permission: permissions['webhooks.manage'],
      schema: { body: NewSource, response: withStatus(WithSecret, 201) },
      async handler({ body, deps, ctx }) {
        const secret = newInboundSecret();
        const [row] = await deps.db.query<SourceRow>(
          'insert into integrations_inbound_sources (name, enabled, secret_sealed) values ($1, $2, $3) returning *',
          [body.name, body.enabled ?? true, deps.secrets.seal(secret)],
        );
        await recordChange(deps.audit, auditedSource, 'created', { after: row! });
        return Reply.created({ ...toSource(row!, ctx.tenant.slug), secret });
      },
    }),
    route({
      method: 'GET',
      path: '/inbound-sources/:id',
      summary: 'One source',
      permission: permissions['webhooks.view'],
      schema: { params: IdParams, response: InboundSource },
      async handler({ params, deps, ctx }) {
        return toSource(await findSource(deps.db, params.id), ctx.tenant.slug);
      },
    }),
    route({
      method: 'PATCH',
      path: '/inbound-sources/:id',
      summary: 'Rename, enable or disable a source',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, body: SourceChange, response: InboundSource },
      async handler({ params, body, deps, ctx }) {
        const current = await findSource(deps.db, params.id);
        const [row] = await deps.db.query<SourceRow>(
          'update integrations_inbound_sources set name = coalesce($2, name), enabled = coalesce($3, enabled), updated_at = now() where id = $1 returning *',
          [params.id, body.name ?? null, body.enabled ?? null],
        );
        await recordChange(deps.audit, auditedSource, 'updated', { before: current, after: row! });
        return toSource(row!, ctx.tenant.slug);
      },
    }),
    route({
      method: 'DELETE',
      path: '/inbound-sources/:id',
      summary: 'Remove a source and what it received',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const current = await findSource(deps.db, params.id);
        await deps.db.query('delete from integrations_inbound_sources where id = $1', [params.id]);
        await recordChange(deps.audit, auditedSource, 'deleted', { before: current });
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/inbound-sources/:id/rotate-secret',
      summary: 'Replace the secret (the old one stops working at once)',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, response: WithSecret },
      async handler({ params, deps, ctx }) {
        const current = await findSource(deps.db, params.id);
        const secret = newInboundSecret();
        const [row] = await deps.db.query<SourceRow>(
          'update integrations_inbound_sources set secret_sealed = $2, updated_at = now() where id = $1 returning *',
          [params.id, deps.secrets.seal(secret)],
        );
        await recordChange(deps.audit, auditedSource, 'secret_rotated', { before: current, after: row! });
        return { ...toSource(row!, ctx.tenant.slug), secret };
      },
    }),
    route({
      method: 'GET',
      path: '/inbound-sources/:id/messages',
      summary: 'What a source received, newest first',
      permission: permissions['webhooks.view'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Message) },
      async handler({ params, query, deps }) {
        await findSource(deps.db, params.id);
        const { items, total } = await listPage<{ created_at: Date }>(
          deps.db,
          {
            select: 'id, content_type, headers, body, payload, created_at',
            from: 'integrations_inbound_messages',
            where: 'source_id = $1',
            orderBy: 'created_at desc, id',
            values: [params.id],
          },
          query,
        );
        return Reply.list(items.map((row) => ({ ...row, created_at: iso(row.created_at)! })) as never, paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/inbound/:tenant/:sourceId',
      summary: 'Receive a webhook: `X-Plinth-Signature: sha256=<hex HMAC-SHA256 of the raw body>`',
      errors: [integrationsErrors.invalid_signature],
      // Verified by signature; the limit only stops a flood.
      rateLimit: { per: 'ip', max: 600, windowSeconds: 60 },
      public: true,
      tenantParam: 'tenant',
      body: { types: ['application/json', 'application/x-www-form-urlencoded', 'text/plain'], limitBytes: 512 * 1024 },
      schema: { params: ReceiveParams, response: withStatus(Type.Object({ received_id: Type.String() }), 202) },
      async handler({ params, deps, ctx }) {
        const source = UUID.test(params.sourceId)
          ? await deps.db.one<SourceRow>('select * from integrations_inbound_sources where id = $1', [params.sourceId])
          : undefined;
        if (!source || !source.enabled) throw new NotFoundError('Inbound source not found');
        const raw = ctx.rawBody ?? Buffer.alloc(0);
        const expected = `sha256=${hmacSha256(deps.secrets.open(source.secret_sealed), raw, 'hex')}`;
        if (!sameSignature(header(ctx.headers, 'x-plinth-signature'), expected)) {
          throw integrationsErrors.invalid_signature('The signature does not match the body');
        }
        const contentType = header(ctx.headers, 'content-type') ?? null;
        const kept = Object.fromEntries(KEPT_HEADERS.flatMap((name) => (header(ctx.headers, name) ? [[name, header(ctx.headers, name)!]] : [])));
        const payload = parsePayload(contentType, raw);
        const [message] = await deps.db.query<{ id: string }>(
          'insert into integrations_inbound_messages (source_id, content_type, headers, body, payload) values ($1, $2, $3, $4, $5) returning id',
          [source.id, contentType, JSON.stringify(kept), raw.toString('utf8'), payload === null ? null : JSON.stringify(payload)],
        );
        await deps.events.emit('integrations.inbound.received', {
          sourceId: source.id,
          sourceName: source.name,
          receivedId: message!.id,
          contentType,
          payload: payload ?? raw.toString('utf8'),
        });
        return Reply.accepted({ received_id: message!.id });
      },
    }),
  ];
}
