import { FileRef, Type } from '@plinth/sdk';
import { maxProductImageBytes, productImageTypes } from '../services/images.js';

/** `:id` path parameter. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A stored image: the id of a public image uploaded through `POST /api/v1/files` (the console offers an upload widget). */
const ImageFile = FileRef({ accept: productImageTypes, maxBytes: maxProductImageBytes, public: true });

/** A price or amount in minor units. */
export const Money = Type.Integer({ minimum: 0, maximum: 100_000_000 });

/** A quantity of units on a line. */
export const Quantity = Type.Integer({ minimum: 1, maximum: 10_000 });

export const ProductStatus = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')]);

const Slug = Type.String({ pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 80 });

const VariantFields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  price: Money,
  compare_at_price: Type.Optional(Type.Union([Money, Type.Null()])),
  attributes: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200 }))),
  weight_grams: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  image_file_id: Type.Optional(Type.Union([ImageFile, Type.Null()], { description: "The variant's own image, a stored file (null removes it)" })),
};

/** A new variant; `stock` is its opening stock (a ledger entry). */
export const NewVariant = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S+$' }),
    ...VariantFields,
    stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
);

/** Changes to a variant; stock changes only through `/variants/:id/stock` so the ledger stays whole. */
export const VariantPatch = Type.Partial(Type.Object({ sku: NewVariant.properties.sku, ...VariantFields }, { additionalProperties: false }));

const ProductFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  slug: Type.Optional(Slug),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  images: Type.Optional(Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), { maxItems: 20, description: 'External image URLs' })),
  image_file_ids: Type.Optional(
    Type.Array(ImageFile, { maxItems: 20, uniqueItems: true, description: 'Stored images, in display order; one left out is deleted' }),
  ),
  status: Type.Optional(ProductStatus),
  seo_title: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  seo_description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  metadata: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.Unknown())),
  category_id: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
};

export const NewProduct = Type.Object(
  { ...ProductFields, variants: Type.Optional(Type.Array(NewVariant, { maxItems: 100 })) },
  { additionalProperties: false },
);
export const ProductPatch = Type.Partial(Type.Object(ProductFields, { additionalProperties: false }));

export const NewCategory = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    slug: Type.Optional(Slug),
    parent_id: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export const CategoryPatch = Type.Partial(NewCategory);

/** A line of an order or cart as the client asks for it: never a price. */
export const LineInput = Type.Object({ variant_id: Type.String({ format: 'uuid' }), quantity: Quantity }, { additionalProperties: false });

export const CustomerInput = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
