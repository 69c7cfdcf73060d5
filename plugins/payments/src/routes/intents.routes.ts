import { commonErrors, listPage, type AnyRoute, NotFoundError, PageQuery, paginate, Reply, Type, withStatus, Money } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsErrors } from '../errors.js';
import { paymentsPermissions as permissions } from '../permissions.js';
import { idempotencyKeyOf, idempotent } from '../services/idempotency.js';
import { intentView, MAX_AMOUNT, withOpenedSecret, withSealedSecret, type IntentRow } from '../services/intent-rows.js';
import type { PaymentsOptions } from '../services/payments.js';
import { servicesFor } from './context.js';
import { IdParams, IDEMPOTENCY_HEADER, Intent, IntentStatus, Metadata } from './schemas.js';

const NewIntentBody = Type.Object(
  {
    amount: Money({ minimum: 1, maximum: MAX_AMOUNT, currencyField: 'currency', title: 'Amount', description: 'Minor units (cents)' }),
    currency: Type.String({ pattern: '^[A-Za-z]{3}$', title: 'Currency', description: 'ISO 4217', examples: ['USD'] }),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 40, title: 'Provider', description: 'The default provider of the settings when left out' })),
    description: Type.Optional(Type.String({ maxLength: 1000, title: 'Description' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
const ConfirmBody = Type.Object(
  {
    payment_method: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, title: 'Payment method', description: 'A test card number, or the gateway’s payment method id' }),
    ),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 40, title: 'Action', description: 'Completes a second step (test gateway: approve | deny)' })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    status: Type.Optional(IntentStatus),
    provider: Type.Optional(Type.String({ maxLength: 40 })),
    metadata_key: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    metadata_value: Type.Optional(Type.String({ maxLength: 500 })),
  }),
]);
const HistoryEntry = Type.Object({
  from_status: Type.Union([Type.String(), Type.Null()]),
  to_status: Type.String(),
  source: Type.String(),
  provider_event_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

/** `/api/v1/payments/intents…`: create, read, confirm, cancel and mark paid. */
export function intentRoutes({ route }: Builders, options: PaymentsOptions): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/intents',
      summary: 'Payment intents, newest first (filter by status, provider, a metadata value)',
      permission: permissions['transactions.view'],
      schema: { query: ListQuery, response: Type.Array(Intent) },
      async handler({ query, deps }) {
        const metadata = query.metadata_key ? JSON.stringify({ [query.metadata_key]: query.metadata_value ?? '' }) : null;
        const { items, total } = await listPage<IntentRow>(
          deps.db,
          {
            select: '*',
            from: 'payments_intents',
            where: '($1::text is null or status = $1) and ($2::text is null or provider = $2) and ($3::jsonb is null or metadata @> $3::jsonb)',
            orderBy: 'created_at desc, id',
            values: [query.status ?? null, query.provider ?? null, metadata],
          },
          query,
        );
        return Reply.list(items.map(intentView), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/intents',
      summary: 'Create a payment intent (Idempotency-Key supported)',
      errors: [commonErrors.conflict, paymentsErrors.provider_unavailable],
      permission: permissions['intents.create'],
      schema: { body: NewIntentBody, response: withStatus(Intent, [200, 201]) },
      async handler({ body, deps, ctx }) {
        const key = idempotencyKeyOf(ctx.headers[IDEMPOTENCY_HEADER]);
        const { intents } = servicesFor(deps, ctx, options);
        // The stored answer (for replays) keeps the payer's client secret sealed.
        const result = await idempotent(deps.db, 'intents.create', key, body, async () => ({
          status: 201,
          data: withSealedSecret(deps.secrets, await intents.create(body)),
        }));
        const intent = withOpenedSecret(deps.secrets, result.data);
        return result.status === 201 ? Reply.created(intent) : intent;
      },
    }),
    route({
      method: 'GET',
      path: '/intents/:id',
      summary: 'One payment intent',
      permission: permissions['transactions.view'],
      schema: { params: IdParams, response: Intent },
      async handler({ params, deps, ctx }) {
        const intent = await servicesFor(deps, ctx, options).intents.get(params.id);
        if (!intent) throw new NotFoundError('Payment intent not found');
        return intent;
      },
    }),
    route({
      method: 'GET',
      path: '/intents/:id/history',
      summary: "An intent's status transitions, oldest first",
      permission: permissions['transactions.view'],
      schema: { params: IdParams, response: Type.Array(HistoryEntry) },
      async handler({ params, deps }) {
        const rows = await deps.db.query<{ from_status: string | null; to_status: string; source: string; provider_event_id: string | null; created_at: Date }>(
          `select h.from_status, h.to_status, h.source, h.provider_event_id, h.created_at from payments_intent_history h
           join payments_intents i on i.id = h.intent_id where i.id = $1 order by h.created_at, h.id`,
          [params.id],
        );
        if (rows.length === 0) throw new NotFoundError('Payment intent not found');
        return rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
      },
    }),
    route({
      method: 'POST',
      path: '/intents/:id/confirm',
      summary: 'Confirm with a payment method, or complete a second step (Idempotency-Key supported)',
      errors: [commonErrors.conflict, paymentsErrors.intent_not_confirmable, paymentsErrors.provider_unavailable],
      permission: permissions['intents.create'],
      schema: { params: IdParams, body: ConfirmBody, response: Intent },
      async handler({ params, body, deps, ctx }) {
        const key = idempotencyKeyOf(ctx.headers[IDEMPOTENCY_HEADER]);
        const { intents } = servicesFor(deps, ctx, options);
        const result = await idempotent(deps.db, `intents.confirm:${params.id}`, key, body, async () => ({
          status: 200,
          data: await intents.confirm(params.id, body),
        }));
        return result.data;
      },
    }),
    route({
      method: 'POST',
      path: '/intents/:id/cancel',
      summary: 'Cancel an intent not yet paid',
      errors: [paymentsErrors.intent_not_cancellable, paymentsErrors.provider_unavailable],
      permission: permissions['intents.create'],
      schema: { params: IdParams, response: Intent },
      async handler({ params, deps, ctx }) {
        return servicesFor(deps, ctx, options).intents.cancel(params.id);
      },
    }),
    route({
      method: 'POST',
      path: '/intents/:id/mark-paid',
      summary: 'Mark a manual payment received',
      errors: [paymentsErrors.intent_not_payable],
      permission: permissions['manual.mark_paid'],
      schema: { params: IdParams, response: Intent },
      async handler({ params, deps, ctx }) {
        return servicesFor(deps, ctx, options).intents.markPaid(params.id);
      },
    }),
  ];
}
