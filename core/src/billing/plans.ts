import { ConflictError, isUniqueViolation, NotFoundError, ValidationError, type FieldErrors } from '@plinth/sdk';
import { Type, type Static } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import type { BillingPrice, PlanRow } from './billing-provider.js';
import type { LimitCatalogueEntry } from './entitlements.js';

// The host's plans (docs/billing.md §Plans and limits): what an administrator may write, checked against what the
// host knows (its limits, its plugins), and the queries the plan routes share. Plans are host rows (`billing_plans`).

const LimitValue = Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()], {
  description: 'The maximum; null: unlimited',
});

/** A price as an administrator writes it: ISO 4217 upper case, a whole amount of minor units, 0 or more. */
export const PriceInput = Type.Object(
  {
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, upper case' }),
    interval: Type.Union([Type.Literal('month'), Type.Literal('year')]),
    amount: Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Minor units: 1900 is 19.00' }),
  },
  { additionalProperties: false },
);

/** A plan's prices: at most one per currency and interval (checked by {@link checkPlan}). */
export const Prices = Type.Array(PriceInput, { maxItems: 24 });

/** What an administrator writes of a plan; `key` only when creating (it is permanent: sign-up and the console name it). */
export const PlanFields = {
  name: Type.String({ minLength: 1, maxLength: 120 }),
  description: Type.String({ maxLength: 2000 }),
  prices: Prices,
  trial_days: Type.Integer({ minimum: 0, maximum: 365 }),
  limits: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,82}$' }), LimitValue, {
    maxProperties: 200,
    description: 'By limit key (`GET /admin/billing/limits`): `members`, `crm.contacts`; a key left out: the host default (core) or unlimited (plugin)',
  }),
  plugins: Type.Union([Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }), { maxItems: 200, uniqueItems: true }), Type.Null()], {
    description: 'The plugins it includes; null: every plugin not sold as an add-on',
  }),
  public: Type.Boolean({ description: 'Offered at sign-up and on the billing page' }),
  sort: Type.Integer({ minimum: -100_000, maximum: 100_000 }),
};

export const NewPlan = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$', description: 'Permanent: lower case letters, digits and hyphens' }),
    name: PlanFields.name,
    description: Type.Optional(PlanFields.description),
    prices: Type.Optional(PlanFields.prices),
    trial_days: Type.Optional(PlanFields.trial_days),
    limits: Type.Optional(PlanFields.limits),
    plugins: Type.Optional(PlanFields.plugins),
    public: Type.Optional(PlanFields.public),
    sort: Type.Optional(PlanFields.sort),
  },
  { additionalProperties: false },
);
export const PlanChanges = Type.Partial(Type.Object(PlanFields, { additionalProperties: false }), { additionalProperties: false, minProperties: 1 });

export type NewPlanInput = Static<typeof NewPlan>;
export type PlanChangesInput = Static<typeof PlanChanges>;

/** What the checks need to know of the host: the limits a plan may set and the plugins it may include. */
export interface PlanContext {
  catalogue: readonly LimitCatalogueEntry[];
  plugins: ReadonlySet<string>;
}

/** Prices at most one per currency and interval: 422 naming the repeat. */
export function checkPrices(prices: readonly BillingPrice[] | undefined, field = 'prices'): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  prices?.forEach((price, index) => {
    const key = `${price.currency}:${price.interval}`;
    if (seen.has(key)) errors[`${field}.${index}`] = [`repeats a price in ${price.currency} per ${price.interval}`];
    seen.add(key);
  });
  return errors;
}

/** Limit keys the host knows, plugins it has installed, one price per currency and interval; throws 422 naming each. */
export function checkPlan(input: Partial<NewPlanInput>, context: PlanContext): void {
  const errors: FieldErrors = checkPrices(input.prices);
  const known = new Set(context.catalogue.map((entry) => entry.limit));
  for (const key of Object.keys(input.limits ?? {})) if (!known.has(key)) errors[`limits.${key}`] = ['is not a limit this host knows'];
  input.plugins?.forEach((plugin, index) => {
    if (!context.plugins.has(plugin)) errors[`plugins.${index}`] = [`is not an installed plugin (${plugin})`];
  });
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}

/** A plan row with the number of tenants on it (the admin list). */
export type AdminPlanRow = PlanRow & { tenants: number };

const adminPlanSelect = `select p.id, p.key, p.name, p.description, p.prices, p.trial_days, p.limits, p.plugins, p.is_default, p.public, p.sort,
    p.provider_refs, p.archived_at, (select count(*)::int from tenant_subscriptions s where s.plan_id = p.id) as tenants
  from billing_plans p`;

/** Every plan, archived ones too, with its tenant count, by sort then key (the system path: counts across tenants). */
export function adminPlans(db: ScopedDb): Promise<AdminPlanRow[]> {
  return db.query<AdminPlanRow>(`${adminPlanSelect} order by p.sort, p.key`);
}

/** One plan, `for update` when `lock`; 404 when there is none. */
export async function adminPlan(db: ScopedDb, id: string, lock = false): Promise<AdminPlanRow> {
  const plan = await db.one<AdminPlanRow>(`${adminPlanSelect} where p.id = $1${lock ? ' for update of p' : ''}`, [id]);
  if (!plan) throw new NotFoundError('Plan not found', { translations: { ar: 'الخطة غير موجودة' } });
  return plan;
}

const columns = ['name', 'description', 'prices', 'trial_days', 'limits', 'plugins', 'public', 'sort'] as const;
const jsonColumns = new Set(['prices', 'limits']);
const value = (column: string, input: Record<string, unknown>) => (jsonColumns.has(column) ? JSON.stringify(input[column]) : input[column]);

/** Inserts a plan; 409 when the key is taken. */
export async function insertPlan(db: ScopedDb, input: NewPlanInput): Promise<string> {
  const given = columns.filter((column) => input[column] !== undefined);
  const values = [input.key, ...given.map((column) => value(column, input))];
  try {
    const row = await db.one<{ id: string }>(
      `insert into billing_plans (key, ${given.join(', ')}) values ($1, ${given.map((_column, index) => `$${index + 2}`).join(', ')}) returning id`,
      values,
    );
    return row!.id;
  } catch (error) {
    if (isUniqueViolation(error, 'billing_plans_key_unique'))
      throw new ConflictError(`A plan with the key "${input.key}" exists`, { errors: { key: ['is taken'] } });
    throw error;
  }
}

/** Writes the changed fields of a plan (locked by the caller). */
export async function updatePlan(db: ScopedDb, id: string, changes: PlanChangesInput): Promise<void> {
  const given = columns.filter((column) => changes[column] !== undefined);
  await db.query(`update billing_plans set ${given.map((column, index) => `${column} = $${index + 2}`).join(', ')}, updated_at = now() where id = $1`, [
    id,
    ...given.map((column) => value(column, changes)),
  ]);
}
