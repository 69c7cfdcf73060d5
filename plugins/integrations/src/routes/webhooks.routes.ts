import { listPage, type AnyRoute, type HttpClient, NoContent, PageQuery, paginate, Reply, Type, ValidationError, Widget, withStatus } from '@plinth/sdk';
import { auditedEndpoint, recordChange } from '../audit.js';
import { integrationsErrors } from '../errors.js';
import type { Builders } from '../deps.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { destinationProblems } from '../webhooks/destination-policy.js';
import { Endpoint, findEndpoint, toEndpoint, type EndpointRow } from '../webhooks/endpoint-store.js';
import { newEndpointSecret } from '../webhooks/signature.js';
import { newMessageId } from '../util.js';
import { EventPattern, IdParams } from './schemas.js';

const Events = Type.Array(EventPattern, { minItems: 1, maxItems: 50, uniqueItems: true, title: 'Events', description: 'What is sent to the endpoint' });
const endpointFields = {
  url: Widget(Type.String({ minLength: 1, maxLength: 2048, title: 'URL', description: 'An https address on the internet', examples: ['https://'] }), 'url'),
  events: Events,
  description: Type.Optional(Type.String({ maxLength: 500, title: 'Description' })),
  enabled: Type.Optional(Type.Boolean({ title: 'Enabled' })),
};
/** A new endpoint: enabled unless told otherwise (as the server does when `enabled` is left out). */
const NewEndpoint = Type.Object(
  { ...endpointFields, enabled: Type.Optional(Type.Boolean({ title: 'Enabled', default: true })) },
  { additionalProperties: false },
);
const EndpointChange = Type.Partial(Type.Object(endpointFields), { additionalProperties: false, minProperties: 1 });
const WithSecret = Type.Composite([Endpoint, Type.Object({ secret: Type.String() })]);
const Rotation = Type.Object(
  {
    overlap_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 86_400,
        default: 86_400,
        title: 'Overlap (seconds)',
        description: 'How long the old secret still signs deliveries too',
      }),
    ),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Composite([PageQuery, Type.Object({ enabled: Type.Optional(Type.Boolean()) })]);

/** Refuses (422 `url`) a URL the server may not call: its form, and internal or private destinations. */
async function checkUrl(url: string | undefined, http: HttpClient): Promise<void> {
  const problems = url === undefined ? [] : await destinationProblems(url, http);
  if (problems.length > 0) throw new ValidationError({ url: problems });
}

/** `/webhooks`: outgoing webhook endpoints, their secrets and rotation. */
export function webhookRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/webhooks',
      summary: 'Outgoing webhook endpoints',
      permission: permissions['webhooks.view'],
      schema: { query: ListQuery, response: Type.Array(Endpoint) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<EndpointRow>(
          deps.db,
          {
            select: '*',
            from: 'integrations_endpoints',
            where: '$1::boolean is null or enabled = $1',
            orderBy: 'created_at desc, id',
            values: [query.enabled ?? null],
          },
          query,
        );
        return Reply.list(items.map(toEndpoint), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/webhooks',
      summary: 'Add an endpoint; its secret is in this answer only',
      permission: permissions['webhooks.manage'],
      schema: { body: NewEndpoint, response: withStatus(WithSecret, 201) },
      async handler({ body, deps }) {
        await checkUrl(body.url, deps.http);
        const secret = newEndpointSecret();
        const [row] = await deps.db.query<EndpointRow>(
          'insert into integrations_endpoints (url, events, description, enabled, secret_sealed) values ($1, $2, $3, $4, $5) returning *',
          [body.url, body.events, body.description ?? '', body.enabled ?? true, deps.secrets.seal(secret)],
        );
        await recordChange(deps.audit, auditedEndpoint, 'created', { after: row! });
        return Reply.created({ ...toEndpoint(row!), secret });
      },
    }),
    route({
      method: 'GET',
      path: '/webhooks/:id',
      summary: 'One endpoint',
      permission: permissions['webhooks.view'],
      schema: { params: IdParams, response: Endpoint },
      async handler({ params, deps }) {
        return toEndpoint(await findEndpoint(deps.db, params.id));
      },
    }),
    route({
      method: 'PATCH',
      path: '/webhooks/:id',
      summary: 'Change an endpoint; enabling it again clears its failure state',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, body: EndpointChange, response: Endpoint },
      async handler({ params, body, deps }) {
        await checkUrl(body.url, deps.http);
        const current = await findEndpoint(deps.db, params.id);
        const reenabled = body.enabled === true && !current.enabled;
        const disabled = body.enabled === false && current.enabled;
        const [row] = await deps.db.query<EndpointRow>(
          `update integrations_endpoints
              set url = coalesce($2, url), events = coalesce($3, events), description = coalesce($4, description),
                  enabled = coalesce($5, enabled),
                  disabled_reason = case when $6 then null when $7 then 'disabled by a member' else disabled_reason end,
                  disabled_at = case when $6 then null when $7 then now() else disabled_at end,
                  failing_since = case when $6 then null else failing_since end,
                  updated_at = now()
            where id = $1 returning *`,
          [params.id, body.url ?? null, body.events ?? null, body.description ?? null, body.enabled ?? null, reenabled, disabled],
        );
        const verb = reenabled ? 'enabled' : disabled ? 'disabled' : 'updated';
        await recordChange(deps.audit, auditedEndpoint, verb, { before: current, after: row! });
        return toEndpoint(row!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/webhooks/:id',
      summary: 'Remove an endpoint and its delivery log',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const current = await findEndpoint(deps.db, params.id);
        await deps.db.query('delete from integrations_endpoints where id = $1', [params.id]);
        await recordChange(deps.audit, auditedEndpoint, 'deleted', { before: current });
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/webhooks/:id/test',
      summary: 'Queue a signed `integrations.webhook.test` message to the endpoint (logged like any delivery)',
      errors: [integrationsErrors.endpoint_disabled],
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, response: withStatus(Type.Object({ id: Type.String(), message_id: Type.String() }), 202) },
      async handler({ params, deps, ctx }) {
        const endpoint = await findEndpoint(deps.db, params.id);
        if (!endpoint.enabled) throw integrationsErrors.endpoint_disabled('The endpoint is disabled: enable it first');
        const now = deps.clock.now();
        const body = JSON.stringify({
          type: 'integrations.webhook.test',
          timestamp: now.toISOString(),
          data: { endpointId: endpoint.id, tenant: ctx.tenant.slug },
        });
        const [delivery] = await deps.db.query<{ id: string; message_id: string }>(
          `insert into integrations_deliveries (endpoint_id, message_id, event_name, body, next_attempt_at) values ($1, $2, 'integrations.webhook.test', $3, $4)
           returning id, message_id`,
          [endpoint.id, newMessageId(), body, now],
        );
        await deps.jobs.enqueue('integrations.webhook.deliver', { deliveryId: delivery!.id });
        return Reply.accepted(delivery!);
      },
    }),
    route({
      method: 'POST',
      path: '/webhooks/:id/rotate-secret',
      summary: 'Rotate the secret; the old one keeps signing (alongside) for the overlap',
      permission: permissions['webhooks.manage'],
      schema: { params: IdParams, body: Rotation, response: WithSecret },
      async handler({ params, body, deps }) {
        const current = await findEndpoint(deps.db, params.id);
        const now = deps.clock.now();
        const overlap = body.overlap_seconds ?? 86_400;
        const secret = newEndpointSecret();
        const [row] = await deps.db.query<EndpointRow>(
          `update integrations_endpoints
              set previous_secret_sealed = case when $3 > 0 then secret_sealed end,
                  previous_secret_expires_at = case when $3 > 0 then $4::timestamptz + make_interval(secs => $3) end,
                  secret_sealed = $2, secret_rotated_at = $4, updated_at = now()
            where id = $1 returning *`,
          [params.id, deps.secrets.seal(secret), overlap, now],
        );
        await recordChange(deps.audit, auditedEndpoint, 'secret_rotated', { before: current, after: row!, data: { overlap_seconds: overlap } });
        return { ...toEndpoint(row!), secret };
      },
    }),
  ];
}
