// Issue 25: every tenant table can be distributed by tenant_id (Citus), and the suite fails when one cannot.
import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { MigrationContext, Plugin } from '@plinth/sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardReadyKeys } from '../../src/db/migrations/033-shard-ready-keys.js';
import { makeShardReady, revertShardReady } from '../../src/db/shard-keys.js';
import { citusStatements, shardLayout, shardReadiness } from '../../src/db/shard-readiness.js';
import { createTenantTable } from '../../src/db/tenant-tables.js';
import { runShardCheck } from '../../src/cli/shard-check.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createTestKernel, expectShardReady, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

const firstParty = [payments, shop, crm, lms, bioSites, integrations];

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let knex: Knex;
beforeAll(async () => {
  t = await createTestKernel({ plugins: firstParty });
  knex = t.kernel.services.database.knex;
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
});
afterAll(() => t?.close());

/** Runs `body` in a transaction that is always rolled back: scratch tables never outlive the test. */
async function rolledBack(body: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
  const rollback = new Error('rollback');
  await knex
    .transaction(async (trx) => {
      await body(trx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

function shardMigration(plugin: Plugin) {
  const migration = plugin.migrations.find((candidate) => candidate.name.endsWith('-shard-ready-keys'));
  if (!migration) throw new Error(`${plugin.name} has no shard-ready-keys migration`);
  return migration;
}

function context(trx: Knex.Transaction): MigrationContext {
  const unused = () => Promise.reject(new Error('not used by shard-ready migrations'));
  return {
    db: trx,
    createTenantTable: unused,
    addUnitScope: unused,
    declareGlobalTable: unused,
    makeShardReady: (spec) => makeShardReady(trx, spec),
    revertShardReady: (spec) => revertShardReady(trx, spec),
  };
}

describe('shard readiness of the first-party schema', () => {
  it('finds no problem with core and every first-party plugin installed, and lists every table', async () => {
    const layout = await shardLayout(knex);
    const tenantTables = layout.filter((table) => table.tenantColumn);
    // The per-table result of issue 25's closing note (also `plinth shard-check`).
    console.log(
      [
        `${tenantTables.length} tenant tables:`,
        ...tenantTables.map((table) => `${table.role.padEnd(11)} ${table.problems.length === 0 ? 'ok' : 'PROBLEMS'}  ${table.table}`),
      ].join('\n'),
    );
    expect(await shardReadiness(knex)).toEqual([]);
    expect(tenantTables.length).toBeGreaterThanOrEqual(97);
    const reference = tenantTables.filter((table) => table.role === 'reference').map((table) => table.table);
    expect(reference).toEqual(['bio_sites_codes', 'bio_sites_domains', 'bio_sites_slugs', 'tenant_domains', 'tenant_sso_domains']);
    expect(layout.find((table) => table.table === 'tenants')?.role).toBe('reference');
    await expectShardReady(t);
  });

  it('prints the Citus statements in dependency order: reference tables, then distributed tables co-located', async () => {
    const statements = await citusStatements(knex);
    const position = (table: string) => statements.findIndex((statement) => statement.includes(`'${table}'`));
    expect(position('tenants')).toBeLessThan(position('tenant_domains'));
    expect(position('bio_sites_slugs')).toBeLessThan(position('bio_sites_domains'));
    expect(position('tenant_domains')).toBeLessThan(position('memberships'));
    expect(position('shop_orders')).toBeLessThan(position('shop_order_lines'));
    expect(statements.find((statement) => statement.includes("'shop_order_lines'"))).toMatch(
      /create_distributed_table\('shop_order_lines', 'tenant_id', colocate_with => '\w+'\)/,
    );
    expect(statements.find((statement) => statement.includes("'users'"))).toBe("select create_reference_table('users');");
  });

  it('`plinth shard-check` lists every table ready, and prints the Citus statements with --citus', async () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-shard-check-'));
    try {
      const config = await loadConfig({ env: { DATABASE_URL: t.database.url, REDIS_URL: process.env.REDIS_URL ?? '' }, cwd: scratch });
      const lines: string[] = [];
      expect(await runShardCheck(config, {}, (line) => lines.push(line))).toBe(0);
      expect(lines).toContain('ok    shop_orders: distributed');
      expect(lines).toContain('ok    tenant_domains: reference (declared global)');
      expect(lines.at(-1)).toMatch(/^Shard-ready: \d+ distributed by tenant_id, \d+ reference table\(s\)\.$/);
      const statements: string[] = [];
      expect(await runShardCheck(config, { citus: true }, (line) => statements.push(line))).toBe(0);
      expect(statements).toEqual(await citusStatements(knex));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('makes a row unable to point at another tenant’s row', async () => {
    const [contact] = await t.sql<{ id: string }>("insert into crm_contacts (tenant_id, email, name) values ($1, 'a@example.com', 'A') returning id", [
      owner.tenant!.id,
    ]);
    await expect(
      t.sql("insert into crm_interactions (tenant_id, contact_id, type, subject) values ($1, $2, 'note', 'x')", [other.tenant!.id, contact!.id]),
    ).rejects.toThrow(/crm_interactions_contact_id_foreign/);
  });
});

describe('an existing install', () => {
  it('keeps every row through each owner’s down and up, and is shard-ready again after the up', async () => {
    await t.sql("insert into crm_contacts (tenant_id, email, name) values ($1, 'b@example.com', 'B')", [other.tenant!.id]);
    await t.sql(
      "insert into crm_interactions (tenant_id, contact_id, type, subject) select tenant_id, id, 'note', 'kept' from crm_contacts where email = 'b@example.com'",
    );
    // Every table's row count (the kernel's own queues and registries aside: its workers change them meanwhile).
    const counted = async () =>
      (
        await t.sql<{ table: string; rows: number }>(
          `select c.relname as table, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', c.relname), false, true, '')))[1]::text::int as rows
             from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and c.relname not like 'plinth\\_%' order by 1`,
        )
      ).filter((row) => row.rows > 0);
    const before = await counted();
    expect(before.find((row) => row.table === 'crm_interactions')?.rows).toBeGreaterThan(0);

    await knex.transaction(async (trx) => {
      for (const plugin of [...firstParty].reverse()) await shardMigration(plugin).down(context(trx));
      await shardReadyKeys.down(trx);
    });
    const problems = await shardReadiness(knex);
    // What the lead measured before issue 25: the 93 primary keys (id), the 58 foreign keys between distributed tables
    // (57 since the CRM's 012 replaced its contact words' key by a trigger), the uniques.
    expect(problems.filter((problem) => problem.kind === 'primary-key').length).toBeGreaterThanOrEqual(93);
    expect(problems.filter((problem) => problem.kind === 'foreign-key').length).toBeGreaterThanOrEqual(57);
    expect(problems.find((problem) => problem.constraint === 'shop_orders_public_token_unique')?.kind).toBe('unique-index');
    const definition = await t.sql<{ definition: string }>(
      "select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'integrations_sends_rule_id_foreign'",
    );
    expect(definition[0]?.definition).toBe('FOREIGN KEY (rule_id) REFERENCES integrations_rules(id) ON DELETE SET NULL');
    // Keys that were composite from the start (units) stay so.
    const unit = await t.sql<{ definition: string }>(
      "select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'crm_contacts_unit_fk'",
    );
    expect(unit[0]?.definition).toBe('FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units(tenant_id, id)');
    expect(await counted()).toEqual(before);

    await knex.transaction(async (trx) => {
      await shardReadyKeys.up(trx);
      for (const plugin of firstParty) await shardMigration(plugin).up(context(trx));
    });
    expect(await shardReadiness(knex)).toEqual([]);
    expect(await counted()).toEqual(before);
    const scoped = await t.sql<{ definition: string }>(
      "select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'integrations_sends_rule_id_foreign'",
    );
    expect(scoped[0]?.definition).toBe('FOREIGN KEY (tenant_id, rule_id) REFERENCES integrations_rules(tenant_id, id) ON DELETE SET NULL (rule_id)');
    // The API still works on the converted keys.
    const response = await t.request('GET', '/api/v1/members', { headers: owner.headers });
    expect(response.status).toBe(200);
  });
});

describe('the check', () => {
  it('reports a primary key, unique key, unique index, exclusion and foreign key without tenant_id, and a reference table referencing a tenant table', async () => {
    await rolledBack(async (trx) => {
      await trx.raw('create table scratch_parents (id uuid primary key, tenant_id uuid not null, code text unique)');
      await trx.raw('create unique index scratch_parents_code_lower on scratch_parents (lower(code))');
      await trx.raw('create table scratch_slots (tenant_id uuid not null, during tstzrange, exclude using gist (during with &&))');
      await trx.raw(
        'create table scratch_children (id uuid, tenant_id uuid not null, parent_id uuid references scratch_parents (id), primary key (id, tenant_id))',
      );
      await trx.raw('create table scratch_registry (name text primary key, parent_id uuid references scratch_parents (id))');
      const problems = (await shardReadiness(trx)).filter((problem) => problem.table.startsWith('scratch_'));
      expect(problems.map(({ table, constraint, kind }) => `${kind} ${table}.${constraint}`).sort()).toEqual([
        'exclusion scratch_slots.scratch_slots_during_excl',
        'foreign-key scratch_children.scratch_children_parent_id_fkey',
        'primary-key scratch_parents.scratch_parents_pkey',
        'reference-foreign-key scratch_registry.scratch_registry_parent_id_fkey',
        'unique scratch_parents.scratch_parents_code_key',
        'unique-index scratch_parents.scratch_parents_code_lower',
      ]);
      expect(problems.every((problem) => problem.fix.length > 0 && problem.detail.length > 0)).toBe(true);
    });
  });

  it('accepts a table declared global, and the keys createTenantTable makes (set null keeps tenant_id)', async () => {
    await rolledBack(async (trx) => {
      await trx.raw('create table scratch_domains (domain text primary key, tenant_id uuid not null)');
      await trx.raw("insert into plinth_global_tables (table_name, plugin, reason) values ('scratch_domains', 'core', 'host names')");
      await createTenantTable(trx, 'scratch_folders', (table) => {
        table.text('name').notNullable();
      });
      await createTenantTable(trx, 'scratch_notes', (table) => {
        table.uuid('folder_id').references('id').inTable('scratch_folders').onDelete('SET NULL');
        table.uuid('parent_id').references('id').inTable('scratch_notes').onDelete('CASCADE');
        table.uuid('author_id').references('id').inTable('users');
      });
      expect((await shardReadiness(trx)).filter((problem) => problem.table.startsWith('scratch_'))).toEqual([]);
      const [folder] = (await trx.raw("insert into scratch_folders (tenant_id, name) values (?, 'f') returning id", [owner.tenant!.id])).rows;
      await trx.raw('insert into scratch_notes (tenant_id, folder_id) values (?, ?)', [owner.tenant!.id, folder.id]);
      await trx.raw('delete from scratch_folders');
      expect((await trx.raw('select tenant_id, folder_id from scratch_notes')).rows).toEqual([{ tenant_id: owner.tenant!.id, folder_id: null }]);
      await expect(trx.raw('insert into scratch_notes (tenant_id, folder_id) values (?, gen_random_uuid())', [owner.tenant!.id])).rejects.toThrow(
        /scratch_notes_folder_id_foreign/,
      );
    });
  });
});
