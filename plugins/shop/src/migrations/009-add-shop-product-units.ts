import { defineMigration } from '@plinth/sdk';

/**
 * Products may belong to an organisation unit (used when the tenant turns the `units` setting on): the kernel's
 * Row Level Security then limits a unit-scoped staff member to their units' products. Variants, stock and images
 * follow their product (their routes reach them through it); orders stay tenant-wide.
 */
export const addShopProductUnits = defineMigration({
  name: '009-add-shop-product-units',
  async up({ addUnitScope }) {
    await addUnitScope('shop_products');
  },
  async down({ db }) {
    await db.raw('drop policy if exists unit_scope on shop_products');
    await db.raw('alter table shop_products drop column unit_id');
  },
});
