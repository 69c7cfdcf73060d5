import {
  limitErrors,
  listPage,
  type AnyRoute,
  type HttpClient,
  NoContent,
  NotFoundError,
  PageQuery,
  paginate,
  Reply,
  type TenantDb,
  Type,
  ValidationError,
  Widget,
  withStatus,
} from '@plinth/sdk';
import { auditedConnection, recordChange } from '../audit.js';
import { integrationsErrors } from '../errors.js';
import type { Builders } from '../deps.js';
import { header, hmacSha256, sameSignature } from '../inbound/hmac.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { iso } from '../util.js';
import { findConnection, newWebhookSecret, toConnection, WooConnection, type ConnectionRow } from '../woocommerce/connection-store.js';
import { MappingError, type WooOrder, type WooProduct } from '../woocommerce/mapping.js';
import { requireShopSync } from '../woocommerce/shop-access.js';
import { applyDeletion, syncRecord, type SyncOutcome } from '../woocommerce/sync.js';
import { destinationProblems } from '../webhooks/destination-policy.js';
import { IdParams } from './schemas.js';

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 100, title: 'Name' }),
  store_url: Widget(Type.String({ minLength: 1, maxLength: 2048, title: 'Store URL', examples: ['https://store.example.com'] }), 'url'),
  consumer_key: Type.String({ pattern: '^ck_[A-Za-z0-9]{8,64}$', title: 'Consumer key' }),
  consumer_secret: Type.String({ pattern: '^cs_[A-Za-z0-9]{8,64}$', title: 'Consumer secret' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', title: 'Currency', description: "The store's ISO 4217 currency", examples: ['USD'] }),
  enabled: Type.Boolean({ title: 'Enabled' }),
};
const NewConnection = Type.Object({ ...Fields, enabled: Type.Optional(Type.Boolean({ title: 'Enabled', default: true })) }, { additionalProperties: false });
const ConnectionChange = Type.Partial(Type.Object(Fields), { additionalProperties: false, minProperties: 1 });
const WithSecret = Type.Composite([WooConnection, Type.Object({ webhook_secret: Type.String() })]);
const Outcome = Type.Object({
  status: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged'), Type.Literal('ignored'), Type.Literal('pong')]),
  kind: Type.Optional(Type.String()),
  external_id: Type.Optional(Type.String()),
  shop_id: Type.Optional(Type.String()),
});
const RecordItem = Type.Object({ kind: Type.String(), external_id: Type.String(), shop_id: Type.String(), updated_at: Type.String() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses (422 `store_url`) a store the server may not call: its form, and internal or private destinations. */
async function checkStoreUrl(url: string | undefined, http: HttpClient): Promise<void> {
  const problems = url === undefined ? [] : await destinationProblems(url, http);
  if (problems.length > 0) throw new ValidationError({ store_url: problems });
}

async function connectionCount(db: TenantDb): Promise<number> {
  const [row] = await db.query<{ total: number }>('select count(*)::int as total from integrations_woo_connections');
  return row?.total ?? 0;
}

/** `/woocommerce/connections` (managed) and `/woocommerce/:tenant/:connectionId` (the store's signed webhooks). */
export function wooCommerceRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/woocommerce/connections',
      summary: 'WooCommerce stores connected to the shop',
      permission: permissions['webhooks.view'],
      schema: { query: PageQuery, response: Type.Array(WooConnection) },
      async handler({ query, deps, ctx }) {
        const { items, total } = await listPage<ConnectionRow>(
          deps.db,
          { select: '*', from: 'integrations_woo_connections', orderBy: 'created_at, id' },
          query,
        );
        return Reply.list(
          items.map((row) => toConnection(row, ctx.tenant.slug)),
          paginate(query, total),
        );
      },
    }),
    route({
      method: 'POST',
      path: '/woocommerce/connections',
      summary: 'Connect a store; the webhook secret to paste into WooCommerce is in this answer only',
      permission: permissions['webhooks.manage'],
      schema: { body: NewConnection, response: withStatus(WithSecret, 201) },
      async handler({ body, deps, ctx }) {
        await checkStoreUrl(body.store_url, deps.http);
        const secret = newWebhookSecret();
        const [row] = await deps.db.query<ConnectionRow>(
          `insert into integrations_woo_connections (name, store_url, consumer_key, consumer_secret_sealed, currency, webhook_secret_sealed, enabled)
           values ($1, $2, $3, $4, $5, $6, $7) returning *`,
          [
            body.name,
            body.store_url,
            body.consumer_key,
            deps.secrets.seal(body.consumer_secret),
            body.currency,
            deps.secrets.seal(secret),
            body.enabled ?? true,
          ],
        );
        await recordChange(deps.audit, auditedConnection, 'created', { after: row! });
        await deps.jobs.every('integrations.woocommerce.reconcile', ctx.settings.wooReconcileInterval, {});
        return Reply.created({ ...toConnection(row!, ctx.tenant.slug), webhook_secret: secret });
      },
    }),
    route({
      method: 'GET',
      path: '/woocommerce/connections/:id',
      summary: 'One connection',
      permission: permissions['webhooks.view'],
      schema: { params: IdParams, response: WooConnection },
      async handler({ params, deps, ctx }) {
        return toConnection(await findConnection(deps.db, params.id), ctx.tenant.slug);
      },
    }),
    route({
      method: 'PATCH',
      path: '/woocommerce/connections/:id',
      summary: 'Change a connection (a new consumer secret replaces the old)',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, body: ConnectionChange, response: WooConnection },
      async handler({ params, body, deps, ctx }) {
        await checkStoreUrl(body.store_url, deps.http);
        const current = await findConnection(deps.db, params.id);
        const [row] = await deps.db.query<ConnectionRow>(
          `update integrations_woo_connections
              set name = coalesce($2, name), store_url = coalesce($3, store_url), consumer_key = coalesce($4, consumer_key),
                  consumer_secret_sealed = coalesce($5, consumer_secret_sealed), currency = coalesce($6, currency), enabled = coalesce($7, enabled),
                  updated_at = now()
            where id = $1 returning *`,
          [
            params.id,
            body.name ?? null,
            body.store_url ?? null,
            body.consumer_key ?? null,
            body.consumer_secret ? deps.secrets.seal(body.consumer_secret) : null,
            body.currency ?? null,
            body.enabled ?? null,
          ],
        );
        await recordChange(deps.audit, auditedConnection, 'updated', { before: current, after: row! });
        return toConnection(row!, ctx.tenant.slug);
      },
    }),
    route({
      method: 'DELETE',
      path: '/woocommerce/connections/:id',
      summary: 'Disconnect a store (what was synced stays in the shop)',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const current = await findConnection(deps.db, params.id);
        await deps.db.query('delete from integrations_woo_connections where id = $1', [params.id]);
        await recordChange(deps.audit, auditedConnection, 'deleted', { before: current });
        if ((await connectionCount(deps.db)) === 0) await deps.jobs.cancelEvery('integrations.woocommerce.reconcile');
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/woocommerce/connections/:id/reconcile',
      summary: 'Reconcile a store now through its REST API',
      errors: [integrationsErrors.shop_not_enabled],
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, response: withStatus(Type.Object({ queued: Type.Boolean() }), 202) },
      async handler({ params, deps }) {
        await findConnection(deps.db, params.id);
        requireShopSync(deps);
        await deps.jobs.enqueue('integrations.woocommerce.reconcile', { connectionId: params.id });
        return Reply.accepted({ queued: true });
      },
    }),
    route({
      method: 'GET',
      path: '/woocommerce/connections/:id/records',
      summary: 'Records synced from a store, with their shop ids',
      permission: permissions['webhooks.view'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(RecordItem) },
      async handler({ params, query, deps }) {
        await findConnection(deps.db, params.id);
        const { items, total } = await listPage<{ kind: string; external_id: string; shop_id: string; updated_at: Date }>(
          deps.db,
          {
            select: 'kind, external_id, shop_id, updated_at',
            from: 'integrations_woo_records',
            where: 'connection_id = $1',
            orderBy: 'kind, external_id',
            values: [params.id],
          },
          query,
        );
        return Reply.list(
          items.map((row) => ({ ...row, updated_at: iso(row.updated_at)! })),
          paginate(query, total),
        );
      },
    }),
    route({
      method: 'POST',
      path: '/woocommerce/:tenant/:connectionId',
      summary: "A store's webhook (order.* and product.* topics), verified by X-WC-Webhook-Signature",
      errors: [integrationsErrors.invalid_signature, integrationsErrors.shop_not_enabled, limitErrors.limit_reached],
      // Verified by signature; the limit only stops a flood (WooCommerce retries failed deliveries).
      rateLimit: { per: 'ip', max: 600, windowSeconds: 60 },
      public: true,
      tenantParam: 'tenant',
      body: { types: ['application/json', 'application/x-www-form-urlencoded'], limitBytes: 2 * 1024 * 1024 },
      schema: { params: Type.Object({ tenant: Type.String(), connectionId: Type.String() }), response: Outcome },
      async handler({ params, deps, ctx }) {
        const connection = UUID.test(params.connectionId)
          ? await deps.db.one<ConnectionRow>('select * from integrations_woo_connections where id = $1', [params.connectionId])
          : undefined;
        if (!connection || !connection.enabled) throw new NotFoundError('WooCommerce connection not found');
        const raw = ctx.rawBody ?? Buffer.alloc(0);
        const topic = header(ctx.headers, 'x-wc-webhook-topic');
        // WooCommerce pings a new webhook with `webhook_id=<n>` (form-encoded, no topic) and wants a 2xx: nothing to do.
        if (!topic && /^webhook_id=\d+$/.test(raw.toString('utf8'))) return { status: 'pong' as const };
        const expected = hmacSha256(deps.secrets.open(connection.webhook_secret_sealed), raw, 'base64');
        if (!sameSignature(header(ctx.headers, 'x-wc-webhook-signature'), expected)) {
          throw integrationsErrors.invalid_signature('X-WC-Webhook-Signature does not match the body');
        }
        const shop = requireShopSync(deps);
        const [resource, action] = (topic ?? '').split('.');
        if ((resource !== 'order' && resource !== 'product') || !action) return { status: 'ignored' as const };
        let data: { id?: unknown };
        try {
          data = JSON.parse(raw.toString('utf8')) as { id?: unknown };
        } catch {
          throw new ValidationError({ body: ['is not JSON'] });
        }
        if (typeof data?.id !== 'number') throw new ValidationError({ 'body.id': ['is required'] });
        try {
          let outcome: SyncOutcome | undefined;
          if (action === 'deleted') outcome = await applyDeletion(deps.db, shop, connection.id, resource, String(data.id));
          else if (resource === 'order') outcome = await syncRecord(deps.db, shop, connection.id, { kind: 'order', data: data as WooOrder });
          else outcome = await syncRecord(deps.db, shop, connection.id, { kind: 'product', data: data as WooProduct, currency: connection.currency });
          return outcome ?? { status: 'ignored' as const };
        } catch (error) {
          if (error instanceof MappingError) throw new ValidationError({ body: [error.message] });
          throw error;
        }
      },
    }),
  ];
}
