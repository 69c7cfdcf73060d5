import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTenant } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem } from './fixtures.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let tenantTables: string[];

beforeAll(async () => {
  t = await createTestKernel();
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  await asSystem(t, async (db) => {
    for (const owner of [a, b]) {
      await db.query("insert into tenant_domains (tenant_id, domain, verification_token) values ($1, $2, 't')", [
        owner.tenant!.id,
        `${owner.tenant!.slug}.example.com`,
      ]);
      await db.query("insert into audit_log (tenant_id, action) values ($1, 'isolation.seeded')", [owner.tenant!.id]);
      // The job tables of issue 15: a job's recorded effects and the outbox of jobs queued in a transaction.
      await db.query("insert into plinth_job_effects (tenant_id, key) values ($1, 'crm:campaign:1:mail:1')", [owner.tenant!.id]);
      await db.query("insert into plinth_job_outbox (tenant_id, name, data) values ($1, 'crm.campaign.send', '{}')", [owner.tenant!.id]);
      // Issue 16: the current run of each keyed job.
      await db.query("insert into plinth_job_keys (tenant_id, name, key, token) values ($1, 'shop.order.expire', 'order-1', gen_random_uuid())", [
        owner.tenant!.id,
      ]);
    }
  });
  const rows = await asSystem(t, (db) =>
    db.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
        order by c.relname`,
    ),
  );
  tenantTables = rows.map((row) => row.relname);
});
afterAll(() => t.close());

const database = () => t.kernel.services.database;

/** Runs `statements` on a raw pooled connection in a transaction that is always rolled back. */
async function onRawConnection<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await database().acquire();
  try {
    return await fn(client);
  } finally {
    await client.query('rollback').catch(() => undefined);
    await database().release(client);
  }
}

describe('the app role with no tenant set', () => {
  it('finds the tenant tables the suite expects (and they hold rows of both tenants)', async () => {
    expect(tenantTables).toEqual(
      expect.arrayContaining(['api_tokens', 'audit_log', 'invitations', 'membership_roles', 'memberships', 'roles', 'tenant_domains']),
    );
    const [count] = await asSystem(t, (db) => db.query<{ n: number }>('select count(distinct tenant_id) as n from memberships'));
    expect(count!.n).toBeGreaterThanOrEqual(2);
  });

  it('sees zero rows in every tenant table and in tenant_users', async () => {
    await onRawConnection(async (client) => {
      const results = (await client.query('begin; set local role plinth_app; select count(*)::int as n from memberships')) as unknown as pg.QueryResult[];
      expect(results.at(-1)!.rows).toEqual([{ n: 0 }]);
      for (const table of [...tenantTables, 'tenant_users']) {
        const { rows } = await client.query(`select count(*)::int as n from "${table}"`);
        expect(rows, table).toEqual([{ n: 0 }]);
      }
    });
  });

  it('sees zero rows with an empty or an unknown tenant id set', async () => {
    for (const value of ['', '00000000-0000-4000-8000-000000000000']) {
      await onRawConnection(async (client) => {
        await client.query('begin');
        await client.query("select set_config('app.tenant_id', $1, true)", [value]);
        await client.query('set local role plinth_app');
        for (const table of tenantTables) expect((await client.query(`select count(*)::int as n from "${table}"`)).rows, table).toEqual([{ n: 0 }]);
      });
    }
  });

  it('cannot read host tables at all', async () => {
    for (const table of ['users', 'tenants', 'refresh_tokens', 'password_resets', 'recovery_codes', 'host_audit_log', 'mail_outbox']) {
      await onRawConnection(async (client) => {
        await client.query('begin; set local role plinth_app');
        await expect(client.query(`select 1 from "${table}" limit 1`), table).rejects.toMatchObject({ code: '42501' });
      });
    }
  });
});

describe("tenant A's transaction", () => {
  const inA = <T>(fn: Parameters<typeof runInTenant<T>>[2]) => runInTenant(database(), a.tenant!.id, fn);

  it("sees only A's rows", async () => {
    const rows = await inA((db) => db.query<{ tenant_id: string }>('select distinct tenant_id from memberships'));
    expect(rows).toEqual([{ tenant_id: a.tenant!.id }]);
  });

  it("sees only A's recorded job effects and queued jobs, and cannot guess B's effect key", async () => {
    for (const table of ['plinth_job_effects', 'plinth_job_outbox', 'plinth_job_keys']) {
      const rows = await inA((db) => db.query<{ tenant_id: string }>(`select distinct tenant_id from ${table}`));
      expect(rows, table).toEqual([{ tenant_id: a.tenant!.id }]);
    }
    // The same key in both tenants: A's lookup of it finds its own row only, so B's effect never counts as done for A.
    const found = await inA((db) => db.query<{ tenant_id: string }>("select tenant_id from plinth_job_effects where key = 'crm:campaign:1:mail:1'"));
    expect(found).toEqual([{ tenant_id: a.tenant!.id }]);
  });

  it("cannot insert a row carrying B's tenant_id (WITH CHECK)", async () => {
    await expect(inA((db) => db.query("insert into roles (tenant_id, name) values ($1, 'smuggled')", [b.tenant!.id]))).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining('row-level security'),
    });
    await expect(inA((db) => db.query("insert into audit_log (tenant_id, action) values ($1, 'forged')", [b.tenant!.id]))).rejects.toMatchObject({
      code: '42501',
    });
    const [forged] = await asSystem(t, (db) => db.query<{ n: number }>("select count(*) as n from roles where name = 'smuggled'"));
    expect(forged!.n).toBe(0);
  });

  it('cannot move one of its rows to B', async () => {
    await expect(inA((db) => db.query('update tenant_domains set tenant_id = $1', [b.tenant!.id]))).rejects.toMatchObject({ code: '42501' });
    const [row] = await asSystem(t, (db) => db.query('select tenant_id from tenant_domains where domain = $1', [`${a.tenant!.slug}.example.com`]));
    expect(row).toEqual({ tenant_id: a.tenant!.id });
  });

  it("updates and deletes none of B's rows, even naming them", async () => {
    const [bDomain] = await asSystem(t, (db) => db.query<{ id: string }>('select id from tenant_domains where tenant_id = $1', [b.tenant!.id]));
    const touched = await inA(async (db) => [
      ...(await db.query('update tenant_domains set verified = true where id = $1 returning id', [bDomain!.id])),
      ...(await db.query('delete from tenant_domains where id = $1 returning id', [bDomain!.id])),
    ]);
    expect(touched).toEqual([]);
    // The audit log is append-only for tenant work (issue 22): no delete at all, of B's rows or A's.
    await expect(inA((db) => db.query('delete from audit_log where tenant_id = $1', [b.tenant!.id]))).rejects.toMatchObject({ code: '42501' });
    const [still] = await asSystem(t, (db) => db.query('select verified from tenant_domains where id = $1', [bDomain!.id]));
    expect(still).toEqual({ verified: false });
  });
});

describe('the catalog', () => {
  it('has Row Level Security enabled and forced, with a tenant policy on app.tenant_id, on every table with a tenant_id', async () => {
    const rows = await asSystem(t, (db) =>
      db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number; tenant_policies: number }>(
        `select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
                (select count(*) from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and p.roles = '{public}'
                   and p.qual like '%app.tenant_id%' and p.with_check like '%app.tenant_id%') as tenant_policies
           from pg_class c where c.relname = any($1::text[]) and c.relnamespace = 'public'::regnamespace order by c.relname`,
        [tenantTables],
      ),
    );
    expect(rows).toHaveLength(tenantTables.length);
    for (const row of rows) expect(row, row.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true, tenant_policies: 1 });
    for (const row of rows) expect(row.policies, row.relname).toBeGreaterThanOrEqual(1);
  });

  it('gives plinth_app and plinth_system no superuser, no BYPASSRLS, no login, and no table of their own', async () => {
    const roles = await asSystem(t, (db) =>
      db.query("select rolname, rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname in ('plinth_app', 'plinth_system') order by rolname"),
    );
    expect(roles).toEqual([
      { rolname: 'plinth_app', rolsuper: false, rolbypassrls: false, rolcanlogin: false },
      { rolname: 'plinth_system', rolsuper: false, rolbypassrls: false, rolcanlogin: false },
    ]);
    const owned = await asSystem(t, (db) =>
      db.query("select c.relname, r.rolname from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname in ('plinth_app', 'plinth_system')"),
    );
    expect(owned).toEqual([]);
  });
});
