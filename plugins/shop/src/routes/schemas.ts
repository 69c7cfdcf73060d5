import { FileRef, Money, Ref, RichText, Type, UnitRef, ValidationError, Widget } from '@plinth/sdk';
import { maxProductImageBytes, productImageTypes } from '../services/images.js';

/** `:id` path parameter. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A stored image: the id of a public image uploaded through `POST /api/v1/files` (the console offers an upload widget). */
const ImageFile = FileRef({ accept: productImageTypes, maxBytes: maxProductImageBytes, public: true });

/** A price or amount in minor units (the console shows and takes it in the shop's currency). */
export const Price = (title: string, description?: string) => Money({ maximum: 100_000_000, title, ...(description === undefined ? {} : { description }) });

/** A quantity of units on a line. */
export const Quantity = Type.Integer({ minimum: 1, maximum: 10_000, title: 'Quantity' });

export const ProductStatus = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')], {
  title: 'Status',
  description: 'Only active products are sold',
});

const Slug = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  maxLength: 80,
  title: 'Slug',
  description: 'The web address part: lowercase letters, digits and hyphens; made from the name when left empty',
  examples: ['blue-mug'],
});

const VariantFields = {
  name: Type.Optional(Type.String({ maxLength: 200, title: 'Name', examples: ['Large / Blue'] })),
  price: Price('Price'),
  compare_at_price: Type.Optional(
    Type.Union([Price('Compare-at price'), Type.Null()], { title: 'Compare-at price', description: 'The former price, shown struck through' }),
  ),
  attributes: Type.Optional(
    Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200 }), {
      title: 'Options',
      description: 'What sets this variant apart, as option → value (size → L, colour → blue)',
    }),
  ),
  weight_grams: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { title: 'Weight (grams)' })),
  image_file_id: Type.Optional(
    Type.Union([ImageFile, Type.Null()], { title: 'Image', description: "The variant's own image, a stored file (null removes it)" }),
  ),
};

/**
 * Refuses a compare-at price that is not above the price: it is shown struck through as the former price, and a
 * "former" price at or below the price would mislead buyers. `prefix` puts the message at its field path.
 */
export function checkCompareAt(price: number, compareAt: number | null | undefined, prefix = ''): void {
  if (compareAt !== null && compareAt !== undefined && compareAt <= price) {
    throw new ValidationError({ [`${prefix}compare_at_price`]: ['must be more than the price (or empty)'] });
  }
}

/** A new variant; `stock` is its opening stock (a ledger entry). */
export const NewVariant = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$', title: 'SKU', description: 'Stock keeping unit: a code without spaces' }),
    ...VariantFields,
    stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, title: 'Stock', description: 'Units on hand to start with' })),
  },
  { additionalProperties: false, title: 'Variant' },
);

/** Changes to a variant; stock changes only through `/variants/:id/stock` so the ledger stays whole. */
export const VariantPatch = Type.Partial(Type.Object({ sku: NewVariant.properties.sku, ...VariantFields }, { additionalProperties: false }));

const ProductFields = {
  name: Type.String({ minLength: 1, maxLength: 200, title: 'Name' }),
  slug: Type.Optional(Slug),
  description: Type.Optional(RichText({ maxLength: 20_000, title: 'Description', description: 'Rich text; sanitised on the server' })),
  images: Type.Optional(
    Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), { maxItems: 20, title: 'Image links', description: 'External image URLs' }),
  ),
  image_file_ids: Type.Optional(
    Type.Array(ImageFile, { maxItems: 20, uniqueItems: true, title: 'Images', description: 'Stored images, in display order; one left out is deleted' }),
  ),
  image_alt: Type.Optional(
    Widget(
      Type.Record(Type.String(), Type.String({ maxLength: 300 }), {
        maxProperties: 20,
        title: 'Image descriptions',
        description: 'Alternative text per stored image (file id → text), read aloud for people who cannot see it; replaces the texts given before',
      }),
      'hidden',
    ),
  ),
  status: Type.Optional(ProductStatus),
  seo_title: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { title: 'Search engine title', description: 'The name when empty' })),
  seo_description: Type.Optional(Type.Union([Widget(Type.String({ maxLength: 500 }), 'textarea'), Type.Null()], { title: 'Search engine description' })),
  metadata: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.Unknown(), { title: 'Metadata', description: 'Your own data, kept as given' })),
  category_id: Type.Optional(Type.Union([Ref('/shop/categories', { title: 'Category' }), Type.Null()], { title: 'Category' })),
  unit_id: Type.Optional(
    Type.Union([UnitRef(), Type.Null()], {
      title: 'Unit',
      description: 'The organisation unit the product belongs to; only when the shop setting "Products belong to organisation units" is on',
    }),
  ),
};

export const NewProduct = Type.Object(
  {
    ...ProductFields,
    variants: Type.Optional(Type.Array(NewVariant, { maxItems: 100, title: 'Variants', description: 'What is sold: each with its SKU, price and stock' })),
  },
  { additionalProperties: false },
);
export const ProductPatch = Type.Partial(Type.Object(ProductFields, { additionalProperties: false }));

export const NewCategory = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, title: 'Name' }),
    slug: Type.Optional(Slug),
    parent_id: Type.Optional(
      Type.Union([Ref('/shop/categories', { title: 'Parent category' }), Type.Null()], {
        title: 'Parent category',
        description: 'None for a top-level category',
      }),
    ),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, title: 'Position', description: 'Lower comes first' })),
  },
  { additionalProperties: false },
);
export const CategoryPatch = Type.Partial(NewCategory);

/** A line of an order or cart as the client asks for it: never a price. */
export const LineInput = Type.Object({ variant_id: Type.String({ format: 'uuid', title: 'Variant' }), quantity: Quantity }, { additionalProperties: false });

export const CustomerInput = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254, title: 'Email' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, title: 'Name' })),
  },
  { additionalProperties: false, title: 'Customer' },
);
