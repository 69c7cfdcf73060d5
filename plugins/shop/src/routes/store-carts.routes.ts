import { actingUserId, type AnyRoute, NotFoundError, Nullable, pagePath, Reply, type Static, toJson, Type, withStatus } from '@plinth/sdk';
import type { PaymentIntent } from '@plinth/plugin-payments';
import type { Builders } from '../deps.js';
import { shopErrors } from '../errors.js';
import { Cart, cartItems, cartView, createCart, findCart, requireOpen, setCartLine } from '../services/carts.js';
import { createOrder } from '../services/orders.js';
import { loadOrder, Order, type OrderView } from '../services/order-views.js';
import { CustomerInput, Quantity } from './schemas.js';

const CartParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) });
const LineParams = Type.Object({ token: CartParams.properties.token, lineId: Type.String({ format: 'uuid' }) });
const CartQuery = Type.Object({ shipping_rate: Type.Optional(Type.String({ maxLength: 40 })) });
/** What a buyer sees of their order: no reservation, sync keys or customer ids. */
const PublicOrder = Type.Composite([
  Type.Omit(Order, ['source', 'external_id', 'reservation', 'customer']),
  Type.Object({ customer: Type.Object({ email: Type.String(), name: Nullable(Type.String()) }) }),
]);
/** What a buyer needs of the payment intent to pay it. */
const PublicIntent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  provider: Type.String(),
  status: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  next_action: Nullable(Type.Object({ type: Type.String() }, { additionalProperties: true })),
  client_secret: Nullable(Type.String(), { description: "The payer's key to the intent (`POST /api/v1/payments/pay/:id/confirm`); keep it private" }),
});
const CheckoutBody = Type.Object({ customer: CustomerInput, shipping_rate: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false });

/**
 * `/api/v1/shop/store/carts/…`: carts and checkout for buyers, anonymous (the cart token is their key) or signed in
 * (the cart is then theirs alone). Clients send variants and quantities only: every price is the server's.
 */
export function storeCartRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/store/carts',
      summary: 'Public: start a cart; keep its token',
      rateLimit: { per: 'ip', max: 60, windowSeconds: 600 },
      public: true,
      schema: { response: withStatus(Cart, 201) },
      async handler({ deps, ctx }) {
        const cart = await createCart(deps.db, actingUserId(ctx));
        return Reply.created(await cartView({ deps, settings: ctx.settings, tenant: ctx.tenant }, cart));
      },
    }),
    route({
      method: 'GET',
      path: '/store/carts/:token',
      summary: 'Public: the cart with its totals (optionally priced with a shipping rate)',
      public: true,
      schema: { params: CartParams, query: CartQuery, response: Cart },
      async handler({ params, query, deps, ctx }) {
        const cart = await findCart(deps.db, params.token, actingUserId(ctx));
        return cartView({ deps, settings: ctx.settings, tenant: ctx.tenant }, cart, query.shipping_rate);
      },
    }),
    route({
      method: 'POST',
      path: '/store/carts/:token/lines',
      summary: 'Public: add a variant (adds to the quantity already in the cart)',
      errors: [shopErrors.cart_closed, shopErrors.out_of_stock],
      rateLimit: { per: 'ip', max: 300, windowSeconds: 600 },
      public: true,
      schema: {
        params: CartParams,
        body: Type.Object({ variant_id: Type.String({ format: 'uuid' }), quantity: Quantity }, { additionalProperties: false }),
        response: withStatus(Cart, 201),
      },
      async handler({ params, body, deps, ctx }) {
        const cart = await findCart(deps.db, params.token, actingUserId(ctx), { lock: true });
        requireOpen(cart);
        const existing = (await cartItems(deps.db, cart.id)).find((item) => item.variantId === body.variant_id);
        await setCartLine(deps.db, cart.id, body.variant_id, (existing?.quantity ?? 0) + body.quantity, 'variant_id');
        return Reply.created(await cartView({ deps, settings: ctx.settings, tenant: ctx.tenant }, cart));
      },
    }),
    route({
      method: 'PATCH',
      path: '/store/carts/:token/lines/:lineId',
      summary: "Public: set a line's quantity",
      errors: [shopErrors.cart_closed, shopErrors.out_of_stock],
      rateLimit: { per: 'ip', max: 300, windowSeconds: 600 },
      public: true,
      schema: { params: LineParams, body: Type.Object({ quantity: Quantity }, { additionalProperties: false }), response: Cart },
      async handler({ params, body, deps, ctx }) {
        const cart = await findCart(deps.db, params.token, actingUserId(ctx), { lock: true });
        requireOpen(cart);
        const line = (await cartItems(deps.db, cart.id)).find((item) => item.lineId === params.lineId);
        if (!line) throw new NotFoundError('Cart line not found');
        await setCartLine(deps.db, cart.id, line.variantId, body.quantity, 'quantity');
        return cartView({ deps, settings: ctx.settings, tenant: ctx.tenant }, cart);
      },
    }),
    route({
      method: 'DELETE',
      path: '/store/carts/:token/lines/:lineId',
      summary: 'Public: remove a line',
      errors: [shopErrors.cart_closed],
      rateLimit: { per: 'ip', max: 300, windowSeconds: 600 },
      public: true,
      schema: { params: LineParams, response: Cart },
      async handler({ params, deps, ctx }) {
        const cart = await findCart(deps.db, params.token, actingUserId(ctx), { lock: true });
        requireOpen(cart);
        const [removed] = await deps.db.query('delete from shop_cart_lines where id = $1 and cart_id = $2 returning id', [params.lineId, cart.id]);
        if (!removed) throw new NotFoundError('Cart line not found');
        return cartView({ deps, settings: ctx.settings, tenant: ctx.tenant }, cart);
      },
    }),
    route({
      method: 'POST',
      path: '/store/carts/:token/checkout',
      summary: 'Public: place the order (stock reserved, 409 out_of_stock when gone) and get its payment intent',
      errors: [shopErrors.cart_closed, shopErrors.out_of_stock],
      rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
      public: true,
      schema: {
        params: CartParams,
        body: CheckoutBody,
        response: withStatus(
          Type.Object({
            order: PublicOrder,
            payment_intent: Nullable(PublicIntent, { description: 'null: a free order, paid at once' }),
            checkout_url: Type.String({ description: 'The hosted checkout page of the order (absolute): pay there, or follow its receipt' }),
          }),
          201,
        ),
      },
      async handler({ params, body, deps, ctx }) {
        const scope = { deps, settings: ctx.settings, tenant: ctx.tenant };
        const userId = actingUserId(ctx);
        const cart = await findCart(deps.db, params.token, userId, { lock: true });
        requireOpen(cart);
        const { orderId, intent } = await createOrder(
          scope,
          {
            customer: { email: body.customer.email, name: body.customer.name ?? null, userId: cart.user_id ?? userId },
            items: (await cartItems(deps.db, cart.id)).map(({ variantId, quantity }) => ({ variantId, quantity })),
            shippingRate: body.shipping_rate,
            cartId: cart.id,
            actorId: userId,
            field: 'lines',
          },
          { checkout: true },
        );
        await deps.db.query("update shop_carts set status = 'checked_out', updated_at = now() where id = $1", [cart.id]);
        const { public_token: token } = (await deps.db.one<{ public_token: string }>('select public_token from shop_orders where id = $1', [orderId]))!;
        return Reply.created({
          order: publicOrder((await loadOrder(deps.db, orderId))!),
          payment_intent: intent && publicIntent(intent),
          checkout_url: deps.customers.pageUrl(pagePath(ctx.tenant.slug, `/checkout/${token}`)),
        });
      },
    }),
    route({
      method: 'GET',
      path: '/store/carts/:token/order',
      summary: 'Public: the order placed from this cart (to follow its payment)',
      public: true,
      schema: { params: CartParams, response: PublicOrder },
      async handler({ params, deps, ctx }) {
        const cart = await findCart(deps.db, params.token, actingUserId(ctx));
        const [order] = await deps.db.query<{ id: string }>('select id from shop_orders where cart_id = $1', [cart.id]);
        if (!order) throw new NotFoundError('This cart has not been checked out');
        return publicOrder((await loadOrder(deps.db, order.id))!);
      },
    }),
  ];
}

/** What a buyer sees of their order. */
function publicOrder(order: OrderView): Static<typeof PublicOrder> {
  const { source: _source, external_id: _externalId, reservation: _reservation, customer, ...rest } = order;
  return { ...toJson(rest), customer: { email: customer.email, name: customer.name } };
}

/** What a buyer needs of the intent to pay it. */
function publicIntent(intent: PaymentIntent): Static<typeof PublicIntent> {
  return {
    id: intent.id,
    provider: intent.provider,
    status: intent.status,
    amount: intent.amount,
    currency: intent.currency,
    next_action: intent.next_action,
    client_secret: intent.client_secret ?? null,
  };
}
