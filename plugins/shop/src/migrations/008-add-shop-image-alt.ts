import { defineMigration } from '@plinth/sdk';

/**
 * Alternative text of a product's stored images, keyed by file id: a map rather than a second array so that
 * reordering `image_file_ids` cannot pair a text with the wrong image.
 */
export const addShopImageAlt = defineMigration({
  name: '008-add-shop-image-alt',
  async up({ db }) {
    await db.raw("alter table shop_products add column image_alt jsonb not null default '{}'");
  },
  async down({ db }) {
    await db.raw('alter table shop_products drop column image_alt');
  },
});
