import { ConflictError } from '@plinth/sdk';

/** 409 `out_of_stock`: a variant has fewer units than asked for; `errors` names it. */
export function outOfStock(variantId: string, sku: string): ConflictError {
  return new ConflictError(`Not enough stock of ${sku}`, { code: 'out_of_stock', errors: { [`variants.${variantId}`]: ['out of stock'] } });
}

/** 409 `invalid_status`: the order cannot make that move from where it is. */
export function invalidTransition(from: string, to: string): ConflictError {
  return new ConflictError(`An order that is ${from} cannot become ${to}`, { code: 'invalid_status' });
}
