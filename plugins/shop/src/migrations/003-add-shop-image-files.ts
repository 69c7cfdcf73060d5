import { defineMigration } from '@plinth/sdk';

/**
 * Product and variant images may be stored files (core's `files`, attached to the product) besides the external
 * `images` URLs: a product keeps their ids in order, a variant its one image. No foreign key: the file rows are
 * core's (and a purge removes the files and these rows in one transaction).
 */
export const addShopImageFiles = defineMigration({
  name: '003-add-shop-image-files',
  async up({ db }) {
    await db.raw("alter table shop_products add column image_file_ids uuid[] not null default '{}'");
    await db.raw('alter table shop_variants add column image_file_id uuid');
  },
  async down({ db }) {
    await db.raw('alter table shop_variants drop column image_file_id');
    await db.raw('alter table shop_products drop column image_file_ids');
  },
});
