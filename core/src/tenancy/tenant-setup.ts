import { ConflictError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { emitEvent, type OutboxServices } from '../events/outbox.js';
import { builtinRoles } from '../rbac/permissions.js';
import { tenantColumns, type Tenant } from './tenant-directory.js';

/** Slugs that would collide with host names or routes. */
export const reservedSlugs = new Set([
  'www',
  'api',
  'admin',
  'app',
  'mail',
  'static',
  'assets',
  'console',
  'help',
  'status',
  'docs',
  'plinth',
  'root',
  'system',
]);

export const NewTenant = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    slug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', description: 'lower-case letters, digits and hyphens; 1–63 characters' }),
  },
  { additionalProperties: false },
);

/**
 * Creates a tenant with its built-in roles and its subscription to the default plan, makes `ownerId` its owner, and
 * emits `core.tenant.created`. `db` is on the system path (the tenant does not
 * exist yet to scope to).
 */
export async function createTenantWithOwner(db: ScopedDb, services: OutboxServices, input: { name: string; slug: string }, ownerId: string): Promise<Tenant> {
  if (reservedSlugs.has(input.slug)) throw new ConflictError(`The slug "${input.slug}" is reserved`, { errors: { slug: ['is reserved'] } });
  const [tenant] = await db.query<Tenant>(
    `insert into tenants (name, slug) values ($1, $2) on conflict (slug) do nothing
     returning ${tenantColumns}`,
    [input.name.trim(), input.slug],
  );
  if (!tenant) throw new ConflictError(`The slug "${input.slug}" is taken`, { errors: { slug: ['is taken'] } });
  const roles = await db.query<{ id: string; builtin: string }>(
    `insert into roles (tenant_id, name, builtin, description)
     select $1, name, name, 'Built-in role' from unnest($2::text[]) as name
     returning id, builtin`,
    [tenant.id, builtinRoles],
  );
  const [membership] = await db.query<{ id: string }>('insert into memberships (tenant_id, user_id) values ($1, $2) returning id', [tenant.id, ownerId]);
  const owner = roles.find((role) => role.builtin === 'owner')!;
  await db.query('insert into membership_roles (tenant_id, membership_id, role_id) values ($1, $2, $3)', [tenant.id, membership!.id, owner.id]);
  // Every tenant has one subscription: the host's default plan until it chooses another (docs/billing.md).
  await db.query('insert into tenant_subscriptions (tenant_id, plan_id) select $1, id from billing_plans where is_default', [tenant.id]);
  await emitEvent(db, services, tenant.id, 'core.tenant.created', { tenantId: tenant.id, slug: tenant.slug, name: tenant.name }, 'core');
  const user = await db.one<{ email: string; name: string }>('select email, name from users where id = $1', [ownerId]);
  await emitEvent(db, services, tenant.id, 'core.member.joined', { userId: ownerId, email: user!.email, name: user!.name, roles: ['owner'] }, 'core');
  return tenant;
}
