import { listPage, type AnyRoute, NotFoundError, PageQuery, paginate, Reply, Type, withStatus, Money } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsPermissions as permissions } from '../permissions.js';
import { MAX_AMOUNT } from '../services/intent-rows.js';
import { planView, type PlanRow } from '../services/subscription-rows.js';
import { IdParams, Metadata } from './schemas.js';

const Interval = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')], { title: 'Billed every' });
const Plan = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  interval: Interval,
  interval_count: Type.Integer(),
  trial_days: Type.Integer(),
  provider: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  metadata: Type.Record(Type.String(), Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const NewPlan = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, title: 'Name' }),
    amount: Money({ minimum: 1, maximum: MAX_AMOUNT, currencyField: 'currency', title: 'Price', description: 'Billed every interval' }),
    currency: Type.String({ pattern: '^[A-Za-z]{3}$', title: 'Currency', description: 'ISO 4217', examples: ['USD'] }),
    interval: Interval,
    interval_count: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 36, title: 'Intervals per bill', description: '3 with month: quarterly; 1 when left out' }),
    ),
    trial_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 365, title: 'Trial (days)' })),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 40, title: 'Provider', description: 'The default provider of the settings when left out' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false },
);
const PlanPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, title: 'Name' })),
    active: Type.Optional(Type.Boolean({ title: 'Active', description: 'Retired plans take no new subscriptions' })),
    metadata: Type.Optional(Metadata),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** `/api/v1/payments/plans…`: what subscriptions bill. A plan's price and interval are fixed; retire it with `active: false`. */
export function planRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/plans',
      summary: 'Plans, newest first (?active=true|false)',
      permission: permissions['transactions.view'],
      schema: { query: Type.Composite([PageQuery, Type.Object({ active: Type.Optional(Type.Boolean()) })]), response: Type.Array(Plan) },
      async handler({ query, deps }) {
        const { items, total } = await listPage<PlanRow>(
          deps.db,
          { select: '*', from: 'payments_plans', where: '$1::boolean is null or active = $1', orderBy: 'created_at desc, id', values: [query.active ?? null] },
          query,
        );
        return Reply.list(items.map(planView), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/plans',
      summary: 'Create a plan',
      permission: permissions['subscriptions.manage'],
      schema: { body: NewPlan, response: withStatus(Plan, 201) },
      async handler({ body, deps }) {
        const [row] = await deps.db.query<PlanRow>(
          `insert into payments_plans (name, amount, currency, interval, interval_count, trial_days, provider, metadata)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
          [
            body.name,
            body.amount,
            body.currency.toUpperCase(),
            body.interval,
            body.interval_count ?? 1,
            body.trial_days ?? 0,
            body.provider ?? null,
            JSON.stringify(body.metadata ?? {}),
          ],
        );
        await deps.audit.record({ entity: 'plan', verb: 'created', target: row!.id, after: planView(row!) });
        return Reply.created(planView(row!));
      },
    }),
    route({
      method: 'GET',
      path: '/plans/:id',
      summary: 'One plan',
      permission: permissions['transactions.view'],
      schema: { params: IdParams, response: Plan },
      async handler({ params, deps }) {
        const row = await deps.db.one<PlanRow>('select * from payments_plans where id = $1', [params.id]);
        if (!row) throw new NotFoundError('Plan not found');
        return planView(row);
      },
    }),
    route({
      method: 'PATCH',
      path: '/plans/:id',
      summary: 'Rename a plan, retire it, or change its metadata (existing subscriptions keep renewing)',
      permission: permissions['subscriptions.manage'],
      schema: { params: IdParams, body: PlanPatch, response: Plan },
      async handler({ params, body, deps }) {
        const before = await deps.db.one<PlanRow>('select * from payments_plans where id = $1 for update', [params.id]);
        if (!before) throw new NotFoundError('Plan not found');
        const [row] = await deps.db.query<PlanRow>(
          `update payments_plans set name = coalesce($2, name), active = coalesce($3, active), metadata = coalesce($4, metadata), updated_at = now()
           where id = $1 returning *`,
          [params.id, body.name ?? null, body.active ?? null, body.metadata ? JSON.stringify(body.metadata) : null],
        );
        const verb = before.active && !row!.active ? 'retired' : 'updated';
        await deps.audit.record({ entity: 'plan', verb, target: params.id, before: planView(before), after: planView(row!) });
        return planView(row!);
      },
    }),
  ];
}
