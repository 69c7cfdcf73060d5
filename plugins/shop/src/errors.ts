import { defineErrors, type PlinthError } from '@plinth/sdk';

/** The shop's own error codes; routes list the ones they answer in `errors`. */
export const shopErrors = defineErrors('shop', {
  out_of_stock: { status: 409, description: 'A variant has fewer units than asked for; `errors` names it' },
  invalid_status: { status: 409, description: 'The order cannot make that move from its current status' },
  cart_closed: { status: 409, description: 'The cart has been checked out; start a new cart' },
});

/** 409 `out_of_stock` naming the variant in `errors`. */
export function outOfStock(variantId: string, sku: string): PlinthError {
  return shopErrors.out_of_stock(`Not enough stock of ${sku}`, { errors: { [`variants.${variantId}`]: ['out of stock'] } });
}

/** 409 `invalid_status`: the order cannot make that move from where it is. */
export function invalidTransition(from: string, to: string): PlinthError {
  return shopErrors.invalid_status(`An order that is ${from} cannot become ${to}`);
}
