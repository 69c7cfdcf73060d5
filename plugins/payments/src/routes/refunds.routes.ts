import { commonErrors, listPage, type AnyRoute, PageQuery, paginate, Reply, Type, withStatus, Money } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsErrors } from '../errors.js';
import { paymentsPermissions as permissions } from '../permissions.js';
import { idempotencyKeyOf, idempotent } from '../services/idempotency.js';
import { MAX_AMOUNT } from '../services/intent-rows.js';
import type { PaymentsOptions } from '../services/payments.js';
import { refundView, type RefundRow } from '../services/refunds.js';
import { servicesFor } from './context.js';
import { IdParams, IDEMPOTENCY_HEADER, Metadata, Refund } from './schemas.js';

const NewRefundBody = Type.Object(
  {
    intent_id: Type.String({ format: 'uuid', title: 'Payment' }),
    amount: Type.Optional(
      Money({ minimum: 1, maximum: MAX_AMOUNT, title: 'Amount', description: "In the payment's currency; everything still refundable when left out" }),
    ),
    reason: Type.Optional(Type.String({ maxLength: 500, title: 'Reason' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
const RefundQuery = Type.Composite([
  PageQuery,
  Type.Object({
    intent_id: Type.Optional(Type.String({ format: 'uuid' })),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')])),
  }),
]);
const Transaction = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.Union([Type.Literal('capture'), Type.Literal('refund')]),
  intent_id: Type.String({ format: 'uuid' }),
  refund_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  provider: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});
const TransactionQuery = Type.Composite([
  PageQuery,
  Type.Object({
    intent_id: Type.Optional(Type.String({ format: 'uuid' })),
    type: Type.Optional(Type.Union([Type.Literal('capture'), Type.Literal('refund')])),
  }),
]);

/** `/api/v1/payments/refunds…` and `/transactions`: money returned, and every movement of money. */
export function refundRoutes({ route }: Builders, options: PaymentsOptions): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/refunds',
      summary: 'Refund a captured intent, fully or partly (Idempotency-Key supported)',
      errors: [
        commonErrors.not_found,
        commonErrors.conflict,
        paymentsErrors.not_refundable,
        paymentsErrors.refund_exceeds_captured,
        paymentsErrors.provider_unavailable,
      ],
      permission: permissions['refunds.create'],
      schema: { body: NewRefundBody, response: withStatus(Refund, 201) },
      async handler({ body, deps, ctx }) {
        const key = idempotencyKeyOf(ctx.headers[IDEMPOTENCY_HEADER]);
        const { refunds } = servicesFor(deps, ctx, options);
        const input = {
          intentId: body.intent_id,
          ...(body.amount !== undefined ? { amount: body.amount } : {}),
          ...(body.reason !== undefined ? { reason: body.reason } : {}),
          ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        };
        const result = await idempotent(deps.db, 'refunds.create', key, body, async () => ({ status: 201, data: await refunds.create(input) }));
        return Reply.created(result.data);
      },
    }),
    route({
      method: 'GET',
      path: '/refunds',
      summary: 'Refunds, newest first (filter by intent, status)',
      permission: permissions['transactions.view'],
      schema: { query: RefundQuery, response: Type.Array(Refund) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<RefundRow>(
          deps.db,
          {
            select: '*',
            from: 'payments_refunds',
            where: '($1::uuid is null or intent_id = $1) and ($2::text is null or status = $2)',
            orderBy: 'created_at desc, id',
            values: [query.intent_id ?? null, query.status ?? null],
          },
          query,
        );
        return Reply.list(items.map(refundView), paginate(query, total));
      },
    }),
    route({
      method: 'GET',
      path: '/refunds/:id',
      summary: 'One refund',
      permission: permissions['transactions.view'],
      schema: { params: IdParams, response: Refund },
      async handler({ params, deps, ctx }) {
        return servicesFor(deps, ctx, options).refunds.get(params.id);
      },
    }),
    route({
      method: 'GET',
      path: '/transactions',
      summary: 'Money captured and refunded, newest first',
      permission: permissions['transactions.view'],
      schema: { query: TransactionQuery, response: Type.Array(Transaction) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<{
          id: string;
          type: 'capture' | 'refund';
          intent_id: string;
          refund_id: string | null;
          provider: string;
          amount: number;
          currency: string;
          created_at: Date;
        }>(
          deps.db,
          {
            select: 'id, type, intent_id, refund_id, provider, amount, currency, created_at',
            from: 'payments_transactions',
            where: '($1::uuid is null or intent_id = $1) and ($2::text is null or type = $2)',
            orderBy: 'created_at desc, id',
            values: [query.intent_id ?? null, query.type ?? null],
          },
          query,
        );
        return Reply.list(
          items.map((row) => ({ ...row, created_at: row.created_at.toISOString() })),
          paginate(query, total),
        );
      },
    }),
  ];
}
