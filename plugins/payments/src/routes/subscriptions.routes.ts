import { commonErrors, listPage, type AnyRoute, PageQuery, paginate, Reply, Type, withStatus, Ref } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsErrors } from '../errors.js';
import { paymentsPermissions as permissions } from '../permissions.js';
import { idempotencyKeyOf, idempotent } from '../services/idempotency.js';
import type { PaymentsOptions } from '../services/payments.js';
import { subscriptionView, type SubscriptionRow } from '../services/subscription-rows.js';
import { servicesFor } from './context.js';
import { IdParams, IDEMPOTENCY_HEADER, Metadata } from './schemas.js';

const Status = Type.Union([Type.Literal('trialing'), Type.Literal('active'), Type.Literal('past_due'), Type.Literal('cancelled')]);
const Subscription = Type.Object({
  id: Type.String({ format: 'uuid' }),
  plan_id: Type.String({ format: 'uuid' }),
  customer_id: Type.String({ format: 'uuid' }),
  customer_email: Type.Union([Type.String(), Type.Null()]),
  provider: Type.String(),
  status: Status,
  current_period_start: Type.String({ format: 'date-time' }),
  current_period_end: Type.String({ format: 'date-time' }),
  cancel_at_period_end: Type.Boolean(),
  cancelled_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  dunning_attempts: Type.Integer(),
  next_attempt_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});
const NewSubscription = Type.Object(
  {
    plan_id: Ref('/payments/plans', { title: 'Plan' }),
    customer: Type.Object(
      { email: Type.String({ format: 'email', maxLength: 320, title: 'Email' }), name: Type.Optional(Type.String({ maxLength: 200, title: 'Name' })) },
      { additionalProperties: false, title: 'Customer' },
    ),
    payment_method: Type.String({
      minLength: 1,
      maxLength: 255,
      title: 'Payment method',
      description: 'A test card number, or the gateway’s payment method id',
    }),
    provider: Type.Optional(
      Type.String({ minLength: 1, maxLength: 40, title: 'Provider', description: 'The plan’s provider (else the default one) when left out' }),
    ),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
const CancelBody = Type.Object(
  { at_period_end: Type.Optional(Type.Boolean({ default: true, title: 'At the end of the period', description: 'Otherwise at once' })) },
  { additionalProperties: false },
);

/** `/api/v1/payments/subscriptions…`: start, read, cancel (now or at period end), resume; trigger due renewals. */
export function subscriptionRoutes({ route }: Builders, options: PaymentsOptions): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/subscriptions',
      summary: 'Subscriptions, newest first (filter by status, plan)',
      permission: permissions['transactions.view'],
      schema: {
        query: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Status), plan_id: Type.Optional(Type.String({ format: 'uuid' })) })]),
        response: Type.Array(Subscription),
      },
      async handler({ query, deps }) {
        const { items, total } = await listPage<SubscriptionRow & { customer_email: string }>(
          deps.db,
          {
            select: 's.*, c.email as customer_email',
            from: 'payments_subscriptions s join payments_customers c on c.id = s.customer_id',
            where: '($1::text is null or s.status = $1) and ($2::uuid is null or s.plan_id = $2)',
            orderBy: 's.created_at desc, s.id',
            values: [query.status ?? null, query.plan_id ?? null],
          },
          query,
        );
        return Reply.list(items.map(subscriptionView), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/subscriptions',
      summary: 'Start a subscription: stores the payment method, charges the first period unless the plan has a trial (Idempotency-Key supported)',
      errors: [commonErrors.conflict, paymentsErrors.provider_unavailable],
      permission: permissions['subscriptions.manage'],
      schema: { body: NewSubscription, response: withStatus(Subscription, 201) },
      async handler({ body, deps, ctx }) {
        const key = idempotencyKeyOf(ctx.headers[IDEMPOTENCY_HEADER]);
        const { subscriptions } = servicesFor(deps, ctx, options);
        const result = await idempotent(deps.db, 'subscriptions.create', key, body, async () => ({ status: 201, data: await subscriptions.create(body) }));
        return Reply.created(result.data);
      },
    }),
    route({
      method: 'GET',
      path: '/subscriptions/:id',
      summary: 'One subscription',
      permission: permissions['transactions.view'],
      schema: { params: IdParams, response: Subscription },
      async handler({ params, deps, ctx }) {
        return servicesFor(deps, ctx, options).subscriptions.get(params.id);
      },
    }),
    route({
      method: 'POST',
      path: '/subscriptions/:id/cancel',
      summary: 'Cancel at the end of the period (default) or now (`at_period_end: false`)',
      errors: [paymentsErrors.subscription_cancelled, paymentsErrors.provider_unavailable],
      permission: permissions['subscriptions.manage'],
      schema: { params: IdParams, body: CancelBody, response: Subscription },
      async handler({ params, body, deps, ctx }) {
        return servicesFor(deps, ctx, options).subscriptions.cancel(params.id, body.at_period_end ?? true);
      },
    }),
    route({
      method: 'POST',
      path: '/subscriptions/:id/resume',
      summary: 'Keep a subscription set to cancel at period end',
      errors: [paymentsErrors.subscription_cancelled, paymentsErrors.provider_unavailable],
      permission: permissions['subscriptions.manage'],
      schema: { params: IdParams, response: Subscription },
      async handler({ params, deps, ctx }) {
        return servicesFor(deps, ctx, options).subscriptions.resume(params.id);
      },
    }),
    route({
      method: 'POST',
      path: '/subscriptions/renewals',
      summary: 'Run the renewal of due subscriptions now (it also runs every 15 minutes)',
      permission: permissions['subscriptions.manage'],
      schema: { response: withStatus(Type.Object({ queued: Type.Boolean() }), 202) },
      async handler({ deps }) {
        await deps.jobs.enqueue('payments.subscriptions.renew', {});
        return Reply.accepted({ queued: true });
      },
    }),
  ];
}
