import { actingUserId, type AnyRoute, html, rawBody, Redirect, Reply, type SafeHtml, tenantPages, type TenantDb, Type } from '@plinth/sdk';
import type { Builders, Deps } from '../deps.js';
import { createCart, setCartLine } from '../services/carts.js';
import { withImages } from '../services/images.js';
import { createOrder } from '../services/orders.js';
import { attempt, messagePage, money, pageScope, type PageScope, shopPage, shopPath } from './page-kit.js';

const BuyParams = Type.Object({ tenant: Type.String({ maxLength: 100 }), slug: Type.String({ maxLength: 200 }) });
/** The buy form as a browser posts it; anything else it carries (a tampered `price`, `currency`, `total`) is ignored. */
const BuyForm = Type.Object({
  variant: Type.Optional(Type.String({ maxLength: 100 })),
  quantity: Type.Optional(Type.String({ maxLength: 20 })),
  email: Type.Optional(Type.String({ maxLength: 1000 })),
  name: Type.Optional(Type.String({ maxLength: 1000 })),
});
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_QUANTITY = 100;

interface BuyProduct {
  id: string;
  slug: string;
  name: string;
  description: string;
  images: string[];
  image_file_ids: string[];
  image_alt: Record<string, string>;
  variants: { id: string; name: string; sku: string; price: number; compare_at_price: number | null; stock: number; image_file_id: string | null }[];
}

/**
 * A rich-text description as plain text (block ends become line breaks): the page escapes it again, so whatever
 * the stored HTML holds never runs here, and text saved before descriptions were rich text shows as it was.
 */
export function descriptionText(description: string): string {
  const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ', '&amp;': '&' };
  return description
    .replace(/<br\s*\/?>|<\/(p|h[1-6]|li|blockquote)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|#39|nbsp|amp);/g, (entity) => entities[entity] ?? entity)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The active product with this slug and its variants, or undefined. */
async function loadProduct(db: TenantDb, slug: string): Promise<BuyProduct | undefined> {
  const product = await db.one<Omit<BuyProduct, 'variants'>>(
    "select id, slug, name, description, images, image_file_ids, image_alt from shop_products where slug = $1 and status = 'active'",
    [slug.toLowerCase()],
  );
  if (!product) return undefined;
  const variants = await db.query<BuyProduct['variants'][number]>(
    'select id, name, sku, price, compare_at_price, stock, image_file_id from shop_variants where product_id = $1 order by position, created_at, sku',
    [product.id],
  );
  return variants.length ? { ...product, variants } : undefined;
}

interface FormState {
  values: { variant?: string; quantity?: string; email?: string; name?: string };
  errors: { variant?: string; quantity?: string; email?: string; name?: string; form?: string };
}

/** The buy page: the product, its price and the form (variant, quantity, email, name) that starts the checkout. */
async function buyPage(scope: PageScope, deps: Deps, product: BuyProduct, state: FormState, status = 200) {
  const { t, ctx } = scope;
  const currency = ctx.settings.currency ?? ctx.tenant.currency;
  const inStock = product.variants.filter((variant) => variant.stock > 0);
  if (inStock.length === 0) return messagePage(scope, 409, t('soldOutTitle'), t('soldOutBody', { name: product.name }));
  const [shown] = await withImages(deps.files, ctx.tenant.id, [product]);
  const stored = shown?.image_files[0];
  const image = stored?.medium_url ?? product.images[0];
  const alt = (stored && product.image_alt[stored.file_id]) || product.name;
  const prices = inStock.map((variant) => variant.price);
  const lowest = Math.min(...prices);
  const uniform = prices.every((value) => value === lowest);
  const price = uniform ? money(scope, lowest, currency) : t('priceFrom', { price: money(scope, lowest, currency) });
  // One price for every option: its former (compare-at) price, if any, is shown struck through beside it.
  const former = uniform ? inStock[0]!.compare_at_price : null;
  const maxQuantity = Math.min(MAX_QUANTITY, Math.max(...inStock.map((variant) => variant.stock)));
  const error = (field: keyof FormState['errors']) => (state.errors[field] ? html`<p class="error" id="${field}-error">${state.errors[field]}</p>` : html``);
  const described = (field: keyof FormState['errors'], extra?: string) => {
    const ids = [state.errors[field] ? `${field}-error` : '', extra ?? ''].filter(Boolean).join(' ');
    return ids ? html`aria-describedby="${ids}"` : html``;
  };
  // With one variant there is no field to show its error beside: it goes at the top of the form.
  const formError = state.errors.form ?? (product.variants.length > 1 ? undefined : state.errors.variant);
  const variantField: SafeHtml =
    product.variants.length > 1
      ? html`<label for="variant">${t('option')}</label>
          <select id="variant" name="variant" required ${described('variant')}>
            ${product.variants.map(
              (variant) =>
                html`<option
                  value="${variant.id}"
                  ${variant.stock <= 0 ? html`disabled` : html``}
                  ${state.values.variant === variant.id ? html`selected` : html``}
                >
                  ${variant.stock <= 0 ? t('optionSoldOut', { name: variant.name }) : `${variant.name} · ${money(scope, variant.price, currency)}`}
                </option>`,
            )}
          </select>
          ${error('variant')}`
      : html`<input type="hidden" name="variant" value="${inStock[0]!.id}" />`;
  const description = descriptionText(product.description);
  const body = html` ${image ? html`<img class="product-image" src="${image}" alt="${alt}" />` : html``}
    <h1>${product.name}</h1>
    <p class="price">${former !== null && former > lowest ? html`<s class="compare-at">${money(scope, former, currency)}</s> ` : html``}${price}</p>
    ${description ? html`<p class="description">${description}</p>` : html``}
    ${formError ? html`<p class="notice error" role="alert">${formError}</p>` : html``}
    <form method="post" action="${shopPath(scope, `/buy/${product.slug}`)}" novalidate>
      ${variantField}
      <label for="quantity">${t('quantity')}</label>
      <input
        id="quantity"
        name="quantity"
        type="number"
        inputmode="numeric"
        min="1"
        max="${maxQuantity}"
        step="1"
        required
        value="${state.values.quantity ?? '1'}"
        ${described('quantity')}
      />
      ${error('quantity')}
      <label for="email">${t('email')}</label>
      <p class="hint muted" id="email-hint">${t('emailHint')}</p>
      <input id="email" name="email" type="email" autocomplete="email" required value="${state.values.email ?? ''}" ${described('email', 'email-hint')} />
      ${error('email')}
      <label for="name">${t('name')}</label>
      <input id="name" name="name" type="text" autocomplete="name" maxlength="200" value="${state.values.name ?? ''}" ${described('name')} />
      ${error('name')}
      <button type="submit">${t('continueToPayment')}</button>
    </form>`;
  return shopPage(scope, { status, title: product.name, body, noindex: false });
}

/**
 * `/c/:tenant/buy/:slug`: a product's buy page, the shareable payment link (bio pages and the course catalogue link
 * here). Posting it places the order through the same services as the storefront's checkout (prices from the
 * catalogue only, stock reserved) and sends the buyer on to the hosted checkout.
 */
export function buyRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/buy/:slug',
      summary: "Page: a product's buy page (its shareable payment link)",
      public: true,
      root: tenantPages,
      schema: { params: BuyParams, response: rawBody('text/html', 'The buy page; 404 unknown or not on sale, 409 sold out', [200, 404, 409]) },
      async handler({ params, deps, ctx }) {
        const scope = pageScope(ctx);
        const product = await loadProduct(deps.db, params.slug);
        if (!product) return messagePage(scope, 404, scope.t('notFoundTitle'), scope.t('productUnavailable'));
        return buyPage(scope, deps, product, { values: {}, errors: {} });
      },
    }),
    route({
      method: 'POST',
      path: '/c/:tenant/buy/:slug',
      summary: 'Page form: place the order (urlencoded variant, quantity, email, name) → 303 to the hosted checkout',
      rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
      public: true,
      root: tenantPages,
      body: { types: ['application/x-www-form-urlencoded'], limitBytes: 8192 },
      schema: {
        params: BuyParams,
        body: BuyForm,
        response: Redirect(303, 'To the hosted checkout of the new order; the form again with its errors (422, 409) otherwise'),
      },
      async handler({ params, body, deps, ctx }) {
        const scope = pageScope(ctx);
        const { t } = scope;
        const product = await loadProduct(deps.db, params.slug);
        if (!product) return messagePage(scope, 404, t('notFoundTitle'), t('productUnavailable'));
        const values = { variant: body.variant?.trim(), quantity: body.quantity?.trim(), email: body.email?.trim(), name: body.name?.trim() };
        const errors: FormState['errors'] = {};
        const variant = product.variants.find((candidate) => candidate.id === values.variant);
        if (!variant) errors.variant = t('errorVariant');
        const quantity = /^\d{1,5}$/.test(values.quantity ?? '') ? Number(values.quantity) : NaN;
        if (!(quantity >= 1 && quantity <= MAX_QUANTITY)) errors.quantity = t('errorQuantity', { max: MAX_QUANTITY });
        if (!values.email || values.email.length > 254 || !EMAIL.test(values.email)) errors.email = t('errorEmail');
        if (values.name && values.name.length > 200) errors.name = t('errorName');
        if (Object.keys(errors).length) return buyPage(scope, deps, product, { values, errors }, 422);

        const userId = actingUserId(ctx);
        const placed = await attempt(deps.db, async () => {
          const cart = await createCart(deps.db, userId);
          await setCartLine(deps.db, cart.id, variant!.id, quantity, 'variant');
          const { orderId } = await createOrder(
            { deps, settings: ctx.settings, tenant: ctx.tenant },
            {
              customer: { email: values.email!, name: values.name || null, userId },
              items: [{ variantId: variant!.id, quantity }],
              cartId: cart.id,
              actorId: userId,
              field: 'variant',
            },
            { checkout: true },
          );
          await deps.db.query("update shop_carts set status = 'checked_out', updated_at = now() where id = $1", [cart.id]);
          return (await deps.db.one<{ public_token: string }>('select public_token from shop_orders where id = $1', [orderId]))!.public_token;
        });
        if (!placed.ok) {
          const { error } = placed;
          if (error.code === 'out_of_stock') return buyPage(scope, deps, product, { values, errors: { quantity: t('errorStock') } }, 409);
          return buyPage(
            scope,
            deps,
            product,
            { values, errors: { form: t('errorGeneric', { reason: error.message }) } },
            error.status >= 500 ? 503 : error.status,
          );
        }
        return Reply.redirect(shopPath(scope, `/checkout/${placed.value}`), 303);
      },
    }),
  ];
}
