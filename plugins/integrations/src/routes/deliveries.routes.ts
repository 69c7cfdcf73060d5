import { listPage, type AnyRoute, NotFoundError, PageQuery, paginate, Reply, type Static, Type, withStatus } from '@plinth/sdk';
import { integrationsErrors } from '../errors.js';
import type { Builders } from '../deps.js';
import { integrationsPermissions as permissions } from '../permissions.js';
import { iso } from '../util.js';
import { findEndpoint } from '../webhooks/endpoint-store.js';
import { NullableString } from './schemas.js';

const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  endpoint_id: Type.String({ format: 'uuid' }),
  message_id: Type.String(),
  event_id: Type.Union([Type.String(), Type.Null()]),
  event_name: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempt_count: Type.Integer(),
  next_attempt_at: NullableString,
  last_status: Type.Union([Type.Integer(), Type.Null()]),
  last_error: NullableString,
  completed_at: NullableString,
  created_at: Type.String(),
});
type Delivery = Static<typeof Delivery>;
const Attempt = Type.Object({
  attempt: Type.Integer(),
  manual: Type.Boolean(),
  url: Type.String(),
  request_headers: Type.Record(Type.String(), Type.String()),
  request_body: Type.String(),
  response_status: Type.Union([Type.Integer(), Type.Null()]),
  response_headers: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  response_body: NullableString,
  error: NullableString,
  duration_ms: Type.Integer(),
  attempted_at: Type.String(),
});
const DeliveryDetail = Type.Composite([Delivery, Type.Object({ body: Type.String(), attempts: Type.Array(Attempt) })]);
const DeliveryParams = Type.Object({ id: Type.String({ format: 'uuid' }), deliveryId: Type.String({ format: 'uuid' }) });
const ListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])),
    event: Type.Optional(Type.String({ maxLength: 200 })),
  }),
]);

const deliveryColumns = `id, endpoint_id, message_id, event_id, event_name, status, attempt_count, next_attempt_at, last_status, last_error,
  completed_at, created_at`;

type DeliveryRow = Omit<Delivery, 'next_attempt_at' | 'completed_at' | 'created_at'> & {
  next_attempt_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
};

function toDelivery(row: DeliveryRow): Delivery {
  return { ...row, next_attempt_at: iso(row.next_attempt_at), completed_at: iso(row.completed_at), created_at: iso(row.created_at)! };
}

/** `/webhooks/:id/deliveries`: the delivery log (requests and answers, truncated) and manual redelivery. */
export function deliveryRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/webhooks/:id/deliveries',
      summary: "An endpoint's deliveries, newest first",
      permission: permissions['webhooks.view'],
      schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), query: ListQuery, response: Type.Array(Delivery) },
      async handler({ params, query, deps }) {
        await findEndpoint(deps.db, params.id);
        const { items, total } = await listPage<DeliveryRow>(
          deps.db,
          {
            select: deliveryColumns,
            from: 'integrations_deliveries',
            where: 'endpoint_id = $1 and ($2::text is null or status = $2) and ($3::text is null or event_name = $3)',
            orderBy: 'created_at desc, id',
            values: [params.id, query.status ?? null, query.event ?? null],
          },
          query,
        );
        return Reply.list(items.map(toDelivery), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/webhooks/:id/deliveries/:deliveryId',
      summary: 'One delivery with its body and every attempt',
      permission: permissions['webhooks.view'],
      schema: { params: DeliveryParams, response: DeliveryDetail },
      async handler({ params, deps }) {
        const row = await deps.db.one<DeliveryRow & { body: string }>(
          `select ${deliveryColumns}, body from integrations_deliveries where id = $1 and endpoint_id = $2`,
          [params.deliveryId, params.id],
        );
        if (!row) throw new NotFoundError('Delivery not found');
        const attempts = await deps.db.query<Static<typeof Attempt> & { attempted_at: Date }>(
          `select attempt, manual, url, request_headers, request_body, response_status, response_headers, response_body, error, duration_ms, attempted_at
             from integrations_delivery_attempts where delivery_id = $1 order by attempted_at, attempt`,
          [row.id],
        );
        return { ...toDelivery(row), body: row.body, attempts: attempts.map((attempt) => ({ ...attempt, attempted_at: iso(attempt.attempted_at)! })) };
      },
    }),
    route({
      method: 'POST',
      path: '/webhooks/:id/deliveries/:deliveryId/redeliver',
      summary: 'Send a delivery again now, with the same webhook-id',
      errors: [integrationsErrors.endpoint_disabled],
      permission: permissions['webhooks.manage'],
      schema: { params: DeliveryParams, response: withStatus(Type.Object({ id: Type.String(), message_id: Type.String() }), 202) },
      async handler({ params, deps }) {
        const endpoint = await findEndpoint(deps.db, params.id);
        const row = await deps.db.one<{ id: string; message_id: string }>(
          'select id, message_id from integrations_deliveries where id = $1 and endpoint_id = $2',
          [params.deliveryId, params.id],
        );
        if (!row) throw new NotFoundError('Delivery not found');
        if (!endpoint.enabled) throw integrationsErrors.endpoint_disabled('The endpoint is disabled: enable it first');
        await deps.jobs.enqueue('integrations.webhook.deliver', { deliveryId: row.id, manual: true });
        return Reply.accepted({ id: row.id, message_id: row.message_id });
      },
    }),
  ];
}
