import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { sha256 } from '../../src/crypto/secrets.js';
import { coreRoutes } from '../../src/http/core-routes.js';
import type { TestKernel, TestUser } from '../../src/testing/index.js';
import { asSystem, signUpMember } from './fixtures.js';

/** A tenant of the isolation suite: its owner and the ids the requests refer to. */
export interface SuiteTenant {
  owner: TestUser;
  id: string;
  slug: string;
  /** Id of the tenant's built-in `member` role (a valid role id for bodies). */
  memberRoleId: string;
}

/** A request on one record: the path from the record's id, and a body valid in the acting tenant. */
export interface ItemOperation {
  method: 'GET' | 'PATCH' | 'PUT' | 'DELETE' | 'POST';
  /** Route path as declared (with `:id`/`:userId`), also used to check that the route exists. */
  route: string;
  body?: (actingTenant: SuiteTenant) => unknown;
}

/** A tenant-scoped resource: how to seed a record, where it is listed, what can be done to it, and how to read it back. */
export interface TenantResource {
  name: string;
  /** List route, when there is one. */
  list?: string;
  /** Creates a record in `tenant` directly in the database and returns its id as item routes take it. */
  seed(t: TestKernel, tenant: SuiteTenant): Promise<string>;
  items: ItemOperation[];
  /** The record's state on the system path, to prove that another tenant's attempts changed nothing. */
  snapshot(t: TestKernel, id: string): Promise<unknown>;
}

/** Whether core serves `method path` (helpers add routes over time: the suite covers those that exist). */
export function served(method: string, path: string): boolean {
  return coreRoutes.some((route) => route.method === method && route.path === path);
}

const rowOf = (table: string) => (t: TestKernel, id: string) =>
  asSystem(t, (db) => db.one(`select to_jsonb(x) as row from ${table} x where id = $1`, [id])).then((found) => found?.row);

/** Every tenant-scoped resource of core; the suite uses the routes of each that exist. */
export const tenantResources: TenantResource[] = [
  {
    name: 'members',
    list: '/members',
    seed: async (t, tenant) => (await signUpMember(t, tenant, ['member'])).id,
    items: [
      { method: 'GET', route: '/members/:userId' },
      { method: 'PATCH', route: '/members/:userId', body: (acting) => ({ roles: [acting.memberRoleId] }) },
      { method: 'DELETE', route: '/members/:userId' },
    ],
    snapshot: (t, userId) =>
      asSystem(t, (db) =>
        db.query(
          `select m.id, m.tenant_id, array(select role_id from membership_roles r where r.membership_id = m.id order by role_id) as roles
             from memberships m where m.user_id = $1 order by m.id`,
          [userId],
        ),
      ),
  },
  {
    name: 'invitations',
    list: '/invitations',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>(
          `insert into invitations (tenant_id, email, role_ids, token_hash, invited_by, expires_at)
           values ($1, $2, $3, $4, $5, now() + interval '1 day') returning id`,
          [tenant.id, `invitee-${randomUUID()}@example.test`, [tenant.memberRoleId], sha256(randomUUID()), tenant.owner.id],
        ),
      );
      return row!.id;
    },
    items: [
      { method: 'GET', route: '/invitations/:id' },
      { method: 'DELETE', route: '/invitations/:id' },
    ],
    snapshot: rowOf('invitations'),
  },
  {
    name: 'units',
    list: '/units',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>("insert into org_units (tenant_id, name, kind) values ($1, $2, 'team') returning id", [
          tenant.id,
          `unit-${randomBytes(3).toString('hex')}`,
        ]),
      );
      // The unit tree is cached per tenant: the seed goes round the API, so the tenant's cache must learn of it.
      await t.kernel.services.orgUnits.forget(tenant.id);
      return row!.id;
    },
    items: [
      { method: 'GET', route: '/units/:id' },
      { method: 'PATCH', route: '/units/:id', body: () => ({ name: `renamed-${randomBytes(3).toString('hex')}` }) },
      { method: 'DELETE', route: '/units/:id' },
    ],
    snapshot: rowOf('org_units'),
  },
  {
    name: 'roles',
    list: '/roles',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>("insert into roles (tenant_id, name, permissions) values ($1, $2, '{core.members.view}') returning id", [
          tenant.id,
          `custom-${randomBytes(3).toString('hex')}`,
        ]),
      );
      return row!.id;
    },
    items: [
      { method: 'GET', route: '/roles/:id' },
      { method: 'PATCH', route: '/roles/:id', body: () => ({ name: `renamed-${randomBytes(3).toString('hex')}`, permissions: [] }) },
      { method: 'DELETE', route: '/roles/:id' },
    ],
    snapshot: rowOf('roles'),
  },
  {
    name: 'api-tokens',
    list: '/api-tokens',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>(
          "insert into api_tokens (tenant_id, name, token_hash, prefix, permissions, created_by) values ($1, 'seeded', $2, 'seeded00', '{*}', $3) returning id",
          [tenant.id, sha256(randomUUID()), tenant.owner.id],
        ),
      );
      return row!.id;
    },
    items: [
      { method: 'GET', route: '/api-tokens/:id' },
      { method: 'DELETE', route: '/api-tokens/:id' },
    ],
    snapshot: rowOf('api_tokens'),
  },
  {
    name: 'tenant/domains',
    list: '/tenant/domains',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>("insert into tenant_domains (tenant_id, domain, verification_token) values ($1, $2, 'token') returning id", [
          tenant.id,
          `${tenant.slug}-${randomBytes(3).toString('hex')}.example.com`,
        ]),
      );
      return row!.id;
    },
    items: [
      { method: 'GET', route: '/tenant/domains/:id' },
      { method: 'POST', route: '/tenant/domains/:id/verify' },
      { method: 'DELETE', route: '/tenant/domains/:id' },
    ],
    snapshot: rowOf('tenant_domains'),
  },
  {
    name: 'audit-log',
    list: '/audit-log',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>("insert into audit_log (tenant_id, actor_user_id, action, data) values ($1, $2, 'isolation.seeded', '{}') returning id", [
          tenant.id,
          tenant.owner.id,
        ]),
      );
      return row!.id;
    },
    items: [{ method: 'GET', route: '/audit-log/:id' }],
    snapshot: rowOf('audit_log'),
  },
  {
    // A host operator's pending request (core/src/support): tenant B can neither see it nor decide it.
    name: 'support-access',
    list: '/support-access',
    seed: async (t, tenant) => {
      const [row] = await asSystem(t, (db) =>
        db.query<{ id: string }>(
          `insert into support_sessions (tenant_id, operator_user_id, operator_email, operator_name, reason, minutes, status)
           values ($1, $2, 'operator@example.test', 'Operator', 'Isolation check', 30, 'pending') returning id`,
          [tenant.id, tenant.owner.id],
        ),
      );
      return row!.id;
    },
    items: [
      { method: 'POST', route: '/support-access/:id/approve', body: () => ({}) },
      { method: 'POST', route: '/support-access/:id/deny' },
      { method: 'POST', route: '/support-access/:id/end' },
    ],
    snapshot: rowOf('support_sessions'),
  },
  {
    name: 'files',
    list: '/files',
    seed: async (t, tenant) => {
      const id = randomUUID();
      const key = `t/${tenant.id}/core/${id}`;
      await t.kernel.services.storage.put(key, Readable.from([Buffer.from('hello')]), { contentType: 'text/plain' });
      await asSystem(t, (db) =>
        db.query(
          `insert into files (id, tenant_id, owner_plugin, storage_key, name, content_type, size, checksum, created_by, attached_at)
           values ($1, $2, 'core', $3, 'seeded.txt', 'text/plain', 5, $4, $5, now())`,
          [id, tenant.id, key, sha256('hello'), tenant.owner.id],
        ),
      );
      return id;
    },
    items: [
      { method: 'GET', route: '/files/:id' },
      { method: 'GET', route: '/files/:id/content' },
      { method: 'POST', route: '/files/:id/url', body: () => ({}) },
      { method: 'DELETE', route: '/files/:id' },
    ],
    snapshot: rowOf('files'),
  },
  {
    // A report run (issue 24), finished, of a report B may not even have: B can neither read, count nor download it.
    name: 'reports',
    list: '/reports',
    seed: async (t, tenant) =>
      asSystem(t, async (db) => {
        const [run] = await db.query<{ id: string }>(
          `insert into report_runs (tenant_id, report, plugin, format, status, rows_done, requested_by, finished_at, expires_at)
           values ($1, 'ledger.entries', 'ledger', 'csv', 'done', 3, $2, now(), now() + interval '1 day') returning id`,
          [tenant.id, tenant.owner.id],
        );
        return run!.id;
      }),
    items: [
      { method: 'GET', route: '/reports/:id' },
      { method: 'GET', route: '/reports/:id/download' },
    ],
    snapshot: rowOf('report_runs'),
  },
  {
    // A report schedule (issue 24): B can neither read nor delete it (this suite's kernel has no plugin with a report, so
    // a change is refused to A as well: core/test/reports/report-schedules.test.ts checks B's PATCH of A's is 404).
    name: 'report-schedules',
    list: '/report-schedules',
    seed: async (t, tenant) =>
      asSystem(t, async (db) => {
        const [schedule] = await db.query<{ id: string }>(
          `insert into report_schedules (tenant_id, report, plugin, format, cron, time_zone, recipients, created_by, next_run_at)
           values ($1, 'ledger.entries', 'ledger', 'csv', '0 8 * * 1', 'UTC', array[$2::uuid], $2, now() + interval '1 day') returning id`,
          [tenant.id, tenant.owner.id],
        );
        return schedule!.id;
      }),
    items: [
      { method: 'GET', route: '/report-schedules/:id' },
      { method: 'DELETE', route: '/report-schedules/:id' },
    ],
    snapshot: rowOf('report_schedules'),
  },
  {
    // An invoice of the host to the tenant (issue 26): B can neither read, download, pay nor count A's.
    name: 'billing-invoices',
    list: '/billing/invoices',
    seed: async (t, tenant) =>
      asSystem(t, async (db) => {
        const [invoice] = await db.query<{ id: string }>(
          `insert into billing_invoices (tenant_id, number, status, currency, subtotal, total, lines, provider)
           values ($1, 'INV-' || nextval('billing_invoice_numbers'), 'open', 'USD', 1900, 1900,
                   '[{"kind": "plan", "description": "Pro", "amount": 1900, "period_start": null, "period_end": null}]', 'test') returning id`,
          [tenant.id],
        );
        return invoice!.id;
      }),
    items: [
      { method: 'GET', route: '/billing/invoices/:id' },
      { method: 'GET', route: '/billing/invoices/:id/pdf' },
      { method: 'POST', route: '/billing/invoices/:id/pay' },
    ],
    snapshot: rowOf('billing_invoices'),
  },
  {
    // An email domain of the tenant's single sign-on (issue 23): B can neither verify A's nor learn it exists.
    name: 'tenant/sso/domains',
    seed: async (t, tenant) => {
      const domain = `${tenant.slug}-${randomBytes(3).toString('hex')}.example`;
      await asSystem(t, async (db) => {
        await db.query(
          "insert into tenant_sso (tenant_id, issuer, client_id, domains) values ($1, 'https://sso.example.com', 'client', '{}') on conflict (tenant_id) do nothing",
          [tenant.id],
        );
        await db.query("insert into tenant_sso_domains (tenant_id, domain, verification_token) values ($1, $2, 'token')", [tenant.id, domain]);
      });
      return domain;
    },
    items: [{ method: 'POST', route: '/tenant/sso/domains/:domain/verify' }],
    snapshot: (t, domain) =>
      asSystem(t, (db) => db.one('select to_jsonb(x) as row from tenant_sso_domains x where domain = $1', [domain])).then((found) => found?.row),
  },
];

/** Tenant routes that hold no record of their own to steal: the current tenant (checked separately) and the permission catalogue. */
export const recordlessTenantRoutes = new Set([
  'GET /tenant',
  'PATCH /tenant',
  'GET /permissions',
  // The caller's own grants; a non-member is refused (core/test/plugins/web-assets.test.ts).
  'GET /me/permissions',
  'POST /invitations',
  'POST /roles',
  'POST /api-tokens',
  'POST /tenant/domains',
  // The tenant's one single sign-on configuration, like the tenant itself: core/test/identity/tenant-sso.test.ts checks
  // that B reads and writes only its own, and cannot verify A's domain.
  'GET /tenant/sso',
  'PUT /tenant/sso',
  'DELETE /tenant/sso',
  'POST /units',
  // Roles in units name a member and a unit of the request's tenant: core/test/units/units.test.ts checks that
  // another tenant's member or assignment is 404 and another tenant's unit 422.
  'POST /members/:userId/unit-roles',
  'DELETE /members/:userId/unit-roles/:id',
  // The marketplace names installed plugins, not records; per-tenant enablement is checked in core/test/plugins.
  'GET /marketplace',
  'GET /marketplace/:plugin',
  'POST /marketplace/:plugin/enable',
  'POST /marketplace/:plugin/disable',
  'GET /plugins/:plugin/settings',
  'PUT /plugins/:plugin/settings',
  'GET /marketplace/:plugin/data',
  'DELETE /marketplace/:plugin/data',
  // Jobs are filtered by tenant explicitly; core/test/jobs/jobs-routes.test.ts checks B never sees A's.
  'GET /jobs',
  // A new file is B's own; files-isolation.test.ts checks B's uploads never reach A's keys, rows or quota.
  'POST /files',
  // Resumable uploads are staged on disk under an id bound to tenant and uploader, not rows; core/test/files/resumable.test.ts
  // checks another tenant (and another member) gets 404 on HEAD, GET, PATCH and DELETE.
  'POST /files/uploads',
  'GET /files/uploads/:id',
  'PATCH /files/uploads/:id',
  'DELETE /files/uploads/:id',
  // The caller's own avatar; core/test/files/avatars.test.ts checks another tenant's file id is refused.
  'PUT /me/avatar',
  // The list's query as CSV (the same builder, under the same RLS); core/test/audit/audit-trail.test.ts checks that
  // another tenant's export holds none of A's entries.
  'GET /audit-log/export',
  // The caller's own inbox, preferences and phone (never another person's, so no record to aim at), the tenant's
  // notification defaults and log: core/test/notifications/*.test.ts checks another person or tenant cannot read,
  // mark, count or stream A's items, and that B's defaults and log hold nothing of A's.
  'GET /notifications',
  'GET /notifications/unread-count',
  'POST /notifications/:id/read',
  'POST /notifications/read-all',
  'GET /notifications/stream',
  'GET /me/notification-preferences',
  'PUT /me/notification-preferences',
  'PUT /me/phone',
  'POST /me/phone/verify',
  'DELETE /me/phone',
  'GET /notification-settings',
  'PUT /notification-settings',
  'GET /notification-log',
  // The catalog lists the reports of the caller's own tenant's plugins; asking for a run or a schedule makes B's own
  // (core/test/reports/reports.test.ts checks B cannot see, count or download A's runs and schedules).
  'GET /reports/catalog',
  'POST /reports',
  'POST /report-schedules',
  'PATCH /report-schedules/:id',
  // The caller's own tenant's subscription (one row per tenant, no id to aim at): core/test/billing/billing-isolation.test.ts
  // checks B's overview, details and plan changes never read or touch A's, and entitlements-isolation.test.ts its limits.
  'GET /billing',
  'PUT /billing/details',
  'POST /billing/subscription',
  'POST /billing/subscription/cancel',
  'POST /billing/subscription/resume',
  'POST /billing/payment-method',
]);

/** Replaces the route's parameter with `id`. */
export function pathOf(route: string, id: string): string {
  return `/api/v1${route.replace(/:[a-zA-Z]+/, id)}`;
}
