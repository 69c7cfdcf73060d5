import { coreServices, defineMigration, definePlugin } from '@plinth/sdk';
import { shopSyncRef, type ExternalOrder, type ExternalProduct } from '@plinth/plugin-shop';

/**
 * A stand-in for the shop plugin (named `shop`, providing the real `shopSyncRef` contract) while the real one is
 * being built: it stores what connectors upsert, keyed by (source, external id), and counts the calls.
 */
export const fakeShopPlugin = definePlugin({
  name: 'shop',
  version: '0.1.0',
  title: 'Shop (test double)',
  description: 'Stores synced products and orders.',
  category: 'testing',
  requires: { core: '^0.1.0' },
  deps: { db: coreServices.db },
  migrations: [
    defineMigration({
      name: '001-create-synced',
      async up({ createTenantTable }) {
        await createTenantTable('shop_synced', (table) => {
          table.text('kind').notNullable();
          table.text('source').notNullable();
          table.text('external_id').notNullable();
          table.jsonb('data').notNullable();
          table.integer('upserts').notNullable().defaultTo(1);
          table.unique(['tenant_id', 'kind', 'source', 'external_id']);
        });
      },
      async down({ db }) {
        await db.schema.dropTable('shop_synced');
      },
    }),
  ],
  services: ({ provide }) => [
    provide(shopSyncRef, ({ deps }) => {
      const upsert = async (kind: string, record: ExternalProduct | ExternalOrder) => {
        const [row] = await deps.db.query<{ id: string; created: boolean }>(
          `insert into shop_synced (kind, source, external_id, data) values ($1, $2, $3, $4)
           on conflict (tenant_id, kind, source, external_id) do update set data = excluded.data, upserts = shop_synced.upserts + 1
           returning id, (xmax = 0) as created`,
          [kind, record.source, record.externalId, JSON.stringify(record)],
        );
        return row!;
      };
      return {
        async upsertProduct(product) {
          const row = await upsert('product', product);
          return { productId: row.id, created: row.created };
        },
        async upsertOrder(order) {
          const row = await upsert('order', order);
          return { orderId: row.id, created: row.created };
        },
      };
    }),
  ],
});
