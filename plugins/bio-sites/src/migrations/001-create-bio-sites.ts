import { defineMigration, type MigrationContext } from '@plinth/sdk';

/**
 * A global registry of public names (site slugs, short codes) → tenant: the only data root pages can read before
 * they know the tenant. Row Level Security lets every request read it, but write only its own tenant's rows.
 */
export async function createRegistry({ db, declareGlobalTable }: MigrationContext, name: string, key: string, reason: string) {
  await db.schema.createTable(name, (table) => {
    table.text(key).primary();
    table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE').index();
  });
  await declareGlobalTable(name, reason);
  const tenant = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid";
  await db.raw(`alter table ${name} enable row level security`);
  await db.raw(`alter table ${name} force row level security`);
  await db.raw(`create policy public_lookup on ${name} for select using (true)`);
  await db.raw(`create policy own_insert on ${name} for insert with check (${tenant})`);
  await db.raw(`create policy own_update on ${name} for update using (${tenant}) with check (${tenant})`);
  await db.raw(`create policy own_delete on ${name} for delete using (${tenant})`);
  await db.raw(`create policy system_access on ${name} to plinth_system using (true) with check (true)`);
}

/** Sites, their ordered blocks, short links, subscribers, and the global registries of slugs and short codes. */
export const createBioSites = defineMigration({
  name: '001-create-bio-sites',
  async up(context) {
    const { db, createTenantTable } = context;
    await createRegistry(context, 'bio_sites_slugs', 'slug', 'Site slugs are globally unique: /b/:slug finds its tenant here');
    await createRegistry(context, 'bio_sites_codes', 'code', 'Short codes are globally unique: /s/:code finds its tenant here');

    await createTenantTable('bio_sites_sites', (table) => {
      table.text('slug').notNullable();
      table.text('title').notNullable();
      table.text('bio').notNullable().defaultTo('');
      table.text('avatar_url');
      table.jsonb('theme').notNullable();
      table.jsonb('seo').notNullable();
      table.text('status').notNullable().defaultTo('unpublished');
      table.timestamp('published_at', { useTz: true });
      table.unique(['tenant_id', 'slug']);
      table.unique(['tenant_id', 'id']);
    });
    await db.raw(`alter table bio_sites_sites add constraint bio_sites_sites_status_check check (status in ('published', 'unpublished'))`);

    await createTenantTable('bio_sites_blocks', (table) => {
      table.uuid('site_id').notNullable();
      table.integer('position').notNullable();
      table.text('type').notNullable();
      table.jsonb('data').notNullable();
      table.boolean('active').notNullable().defaultTo(true);
      table.timestamp('starts_at', { useTz: true });
      table.timestamp('ends_at', { useTz: true });
      table.foreign(['tenant_id', 'site_id']).references(['tenant_id', 'id']).inTable('bio_sites_sites').onDelete('CASCADE');
      table.index(['tenant_id', 'site_id', 'position']);
    });

    await createTenantTable('bio_sites_short_links', (table) => {
      table.text('code').notNullable();
      table.text('target_url').notNullable();
      table.text('title').notNullable().defaultTo('');
      table.boolean('active').notNullable().defaultTo(true);
      table.unique(['tenant_id', 'code']);
    });

    await createTenantTable('bio_sites_subscribers', (table) => {
      table.uuid('site_id').notNullable();
      table.text('email').notNullable();
      table.foreign(['tenant_id', 'site_id']).references(['tenant_id', 'id']).inTable('bio_sites_sites').onDelete('CASCADE');
    });
    await db.raw('create unique index bio_sites_subscribers_email on bio_sites_subscribers (tenant_id, site_id, lower(email))');
  },
  async down({ db }) {
    for (const table of ['bio_sites_subscribers', 'bio_sites_short_links', 'bio_sites_blocks', 'bio_sites_sites', 'bio_sites_codes', 'bio_sites_slugs']) {
      await db.schema.dropTable(table);
    }
  },
});
