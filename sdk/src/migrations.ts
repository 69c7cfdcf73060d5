import type { Knex } from 'knex';

/** What a plugin migration receives. */
export interface MigrationContext {
  /** The migration's transaction (runs as the schema owner, not scoped to a tenant). */
  db: Knex.Transaction;
  /**
   * Creates a tenant-owned table with everything isolation needs: `id uuid`,
   * `tenant_id` (references the tenant, cascades on purge), the primary key
   * `(id, tenant_id)`, foreign keys declared with `.references('id').inTable()`
   * to another tenant table created as `(tenant_id, x_id) → (tenant_id, id)`,
   * (defaulting to the transaction's tenant, so inserts may leave it out),
   * `created_at`/`updated_at`, an index led by `tenant_id`, Row Level
   * Security enabled and forced with the tenant policy, and the grants the
   * runtime role needs. The name must start with the plugin's prefix
   * (`crm_…` for plugin `crm`, `bio_sites_…` for `bio-sites`).
   */
  createTenantTable(name: string, columns: (table: Knex.CreateTableBuilder) => void, options?: TenantTableOptions): Promise<void>;
  /**
   * Gives an existing tenant table of the plugin organisation units (what `{ units: true }` does at creation): a
   * nullable `unit_id` referencing one of the tenant's units (never another tenant's; a unit holding records cannot
   * be deleted until they move), an index, and a Row Level Security policy limiting every read and write to the
   * units the request reaches. A query needs no unit filter; a forgotten one cannot leak another unit's rows.
   */
  addUnitScope(name: string): Promise<void>;
  /**
   * Declares an existing table global (not tenant-owned): shared by every
   * tenant, readable and writable by every tenant's requests. Use it only for
   * data that is genuinely global (a registry of globally unique slugs); the
   * kernel refuses a plugin whose new tables are neither tenant tables nor
   * declared global.
   */
  declareGlobalTable(name: string, reason: string): Promise<void>;
  /**
   * Makes the plugin's existing tenant tables distributable by `tenant_id` (a sharded database, ADR 0014), keeping
   * every row: `primary key (id)` becomes `(id, tenant_id)`, foreign keys between tenant tables become
   * `(tenant_id, x_id) → (tenant_id, id)` (same names and actions), and the listed unique keys become unique per
   * tenant. Tables already in that shape are left alone. Tables created by `createTenantTable` since 1.x are already
   * shard-ready; this is for tables created before. Undo it in `down` with {@link revertShardReady}.
   */
  makeShardReady(spec: ShardReadySpec): Promise<void>;
  /** Restores the keys {@link makeShardReady} changed (for the migration's `down`). */
  revertShardReady(spec: ShardReadySpec): Promise<void>;
}

/** What {@link MigrationContext.makeShardReady} changes. */
export interface ShardReadySpec {
  /** The plugin's tenant tables with `primary key (id)`. */
  tables?: readonly string[];
  /** Unique keys without `tenant_id` that become unique per tenant. */
  uniques?: readonly TenantScopedUnique[];
}

/**
 * A unique constraint or unique index on `columns` that becomes unique on `(tenant_id, …columns)`, keeping its name.
 * Safe where two tenants never collide in practice (random tokens) or where the key already holds a tenant-owned id.
 */
export interface TenantScopedUnique {
  table: string;
  /** The constraint's or index's name. */
  name: string;
  /** Its columns, without `tenant_id`. */
  columns: readonly string[];
  /** Keep a plain index on `columns` (`<name>_lookup`) for lookups by the value alone; default true. */
  lookup?: boolean;
}

/** Options of {@link MigrationContext.createTenantTable}. */
export interface TenantTableOptions {
  /** Records belong to organisation units (see {@link MigrationContext.addUnitScope}). */
  units?: boolean;
}

/** One ordered, reversible schema change of a plugin. */
export interface PluginMigration {
  /** Unique, in ascending order within the plugin: `001-create-contacts`. */
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}

/**
 * Declares a migration.
 *
 * @example
 * ```ts
 * export const createContacts = defineMigration({
 *   name: '001-create-contacts',
 *   async up({ createTenantTable }) {
 *     await createTenantTable('crm_contacts', (table) => {
 *       table.text('email').notNullable();
 *       table.unique(['tenant_id', 'email']);
 *     });
 *   },
 *   async down({ db }) {
 *     await db.schema.dropTable('crm_contacts');
 *   },
 * });
 * ```
 */
export function defineMigration(migration: PluginMigration): PluginMigration {
  return migration;
}

/**
 * The migration that makes a plugin's existing tenant tables shard-ready ({@link MigrationContext.makeShardReady}),
 * reverted by its `down`.
 *
 * @example
 * ```ts
 * export const shardReadyKeys = shardReadyMigration('005-shard-ready-keys', { tables: ['notes_items', 'notes_tags'] });
 * ```
 */
export function shardReadyMigration(name: string, spec: ShardReadySpec): PluginMigration {
  return defineMigration({
    name,
    up: ({ makeShardReady }) => makeShardReady(spec),
    down: ({ revertShardReady }) => revertShardReady(spec),
  });
}
