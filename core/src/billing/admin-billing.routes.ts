import { likePattern, listPage, PageQuery, paginate, Reply } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import type { BillingInterval, BillingPrice } from './billing-provider.js';

// The host's view of what its tenants pay (docs/billing.md §Subscriptions). Admin routes run on the system path: every
// query here reads across tenants on purpose, and each call is recorded in the host audit log.

const statuses = ['trialing', 'active', 'past_due', 'read_only', 'suspended', 'canceled'] as const;
const Status = Type.Union(statuses.map((status) => Type.Literal(status)));
const Money = Exact({ currency: Type.String(), amount: Type.Integer({ description: 'Minor units per month' }) });

/** Subscriptions counted in the monthly recurring revenue: those still billed (in dunning too, until they cancel). */
const billedStatuses = ['active', 'past_due', 'read_only', 'suspended'];

interface SubscriptionListRow {
  tenant_id: string;
  slug: string;
  name: string;
  plan_key: string;
  plan_name: string;
  plan_prices: BillingPrice[];
  status: (typeof statuses)[number];
  billing_status: 'ok' | 'read_only' | 'suspended';
  provider: string | null;
  currency: string | null;
  interval: BillingInterval | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  past_due_since: Date | null;
  addon_prices: BillingPrice[][] | null;
}

/** What a subscription brings in a month (a yearly price divided by 12), in its currency; null when it is not billed. */
function monthly(row: Pick<SubscriptionListRow, 'status' | 'provider' | 'currency' | 'interval' | 'plan_prices' | 'addon_prices'>): number | null {
  if (!row.provider || !row.currency || !row.interval || !billedStatuses.includes(row.status)) return null;
  const match = (prices: readonly BillingPrice[] | null | undefined) =>
    prices?.find((price) => price.currency === row.currency && price.interval === row.interval)?.amount ?? 0;
  const amount = match(row.plan_prices) + (row.addon_prices ?? []).reduce((sum, prices) => sum + match(prices), 0);
  return Math.round(row.interval === 'year' ? amount / 12 : amount);
}

const listSelect = `s.tenant_id, t.slug, t.name, p.key as plan_key, p.name as plan_name, p.prices as plan_prices, s.status, t.billing_status,
  s.provider, s.currency, s.interval, s.current_period_end, s.cancel_at_period_end, s.past_due_since,
  (select jsonb_agg(pp.prices) from tenant_subscription_addons a join billing_plugin_prices pp on pp.plugin = a.plugin
    where a.tenant_id = s.tenant_id and a.status = 'active') as addon_prices`;
const listFrom = 'tenant_subscriptions s join tenants t on t.id = s.tenant_id join billing_plans p on p.id = s.plan_id';

export const listSubscriptionsAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/billing/subscriptions',
  summary: "Every tenant's subscription with its plan, status, billing status and monthly revenue (filter by status, plan key, or `q` on slug and name)",
  tag: 'admin',
  superAdmin: true,
  schema: {
    query: Type.Object(
      {
        ...PageQuery.properties,
        status: Type.Optional(Status),
        plan: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$' })),
        q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      },
      { additionalProperties: false },
    ),
    response: Type.Array(
      Exact({
        tenant: Exact({ id: Uuid, slug: Type.String(), name: Type.String() }),
        plan: Exact({ key: Type.String(), name: Type.String() }),
        status: Status,
        billing_status: Type.Union([Type.Literal('ok'), Type.Literal('read_only'), Type.Literal('suspended')]),
        provider: Nullable(Type.String()),
        currency: Nullable(Type.String()),
        interval: Nullable(Type.Union([Type.Literal('month'), Type.Literal('year')])),
        current_period_end: Nullable(Timestamp),
        cancel_at_period_end: Type.Boolean(),
        past_due_since: Nullable(Timestamp),
        mrr: Nullable(Money),
      }),
    ),
  },
  errors: [],
  async handler({ db, query, audit }) {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.status) conditions.push(`s.status = $${values.push(query.status)}`);
    if (query.plan) conditions.push(`p.key = $${values.push(query.plan)}`);
    if (query.q) conditions.push(`(t.slug ilike $${values.push(likePattern(query.q))} or t.name ilike $${values.length})`);
    const { items, total } = await listPage<SubscriptionListRow>(
      db,
      { select: listSelect, from: listFrom, where: conditions, orderBy: 't.created_at desc, t.id', values },
      query,
    );
    await audit({ action: 'admin.billing.subscriptions.listed', data: { ...query } });
    const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
    return Reply.list(
      items.map((row) => {
        const amount = monthly(row);
        return {
          tenant: { id: row.tenant_id, slug: row.slug, name: row.name },
          plan: { key: row.plan_key, name: row.plan_name },
          status: row.status,
          billing_status: row.billing_status,
          provider: row.provider,
          currency: row.currency,
          interval: row.interval,
          current_period_end: iso(row.current_period_end),
          cancel_at_period_end: row.cancel_at_period_end,
          past_due_since: iso(row.past_due_since),
          mrr: amount === null ? null : { currency: row.currency!, amount },
        };
      }),
      paginate(query, total),
    );
  },
});

export const getRevenueAsAdmin = defineRoute({
  method: 'GET',
  path: '/admin/billing/revenue',
  summary: 'Monthly recurring revenue by currency, subscribers by plan, subscriptions by status, and what was paid in each of the last 12 months',
  tag: 'admin',
  superAdmin: true,
  deps: { clock: kernelRefs.clock },
  schema: {
    response: Exact({
      mrr: Type.Array(Money),
      plans: Type.Array(Exact({ key: Type.String(), name: Type.String(), subscribers: Type.Integer() })),
      statuses: Type.Array(Exact({ status: Status, count: Type.Integer() })),
      months: Type.Array(Exact({ month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }), currency: Type.String(), paid: Type.Integer() })),
    }),
  },
  errors: [],
  async handler({ db, deps, audit }) {
    const billed = await db.query<SubscriptionListRow>(`select ${listSelect} from ${listFrom} where s.provider is not null and s.status = any($1)`, [
      billedStatuses,
    ]);
    const mrr = new Map<string, number>();
    for (const row of billed) {
      const amount = monthly(row);
      if (amount !== null) mrr.set(row.currency!, (mrr.get(row.currency!) ?? 0) + amount);
    }
    const plans = await db.query<{ key: string; name: string; subscribers: number }>(
      `select p.key, p.name, count(s.id)::int as subscribers from billing_plans p left join tenant_subscriptions s on s.plan_id = p.id
        group by p.id order by p.sort, p.key`,
    );
    const counted = await db.query<{ status: (typeof statuses)[number]; count: number }>(
      'select status, count(*)::int as count from tenant_subscriptions group by status order by status',
    );
    const now = deps.clock.now();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
    const months = await db.query<{ month: string; currency: string; paid: string }>(
      `select to_char(paid_at at time zone 'UTC', 'YYYY-MM') as month, currency, sum(amount_paid)::text as paid from billing_invoices
        where status = 'paid' and paid_at >= $1 and paid_at <= $2 group by 1, 2 order by 1, 2`,
      [from, now],
    );
    await audit({ action: 'admin.billing.revenue.read' });
    return {
      mrr: [...mrr].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount })),
      plans,
      statuses: counted,
      months: months.map((row) => ({ month: row.month, currency: row.currency, paid: Number(row.paid) })),
    };
  },
});

/** The host's billing figures. */
export const adminBillingRoutes: CoreRoute[] = [listSubscriptionsAsAdmin, getRevenueAsAdmin];
