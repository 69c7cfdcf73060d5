import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  commonErrors,
  ConflictError,
  defineErrors,
  ForbiddenError,
  isPlinthError,
  NotFoundError,
  PayloadTooLargeError,
  PlinthError,
  RateLimitedError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../src/index.js';

describe('defineErrors', () => {
  const shopErrors = defineErrors('shop', {
    out_of_stock: { status: 409, description: 'A variant has fewer units than asked for' },
    cart_closed: { status: 409, description: 'The cart has been checked out' },
  });

  it('builds a PlinthError with the entry status and code, the message and the field errors', () => {
    const error = shopErrors.out_of_stock('Not enough stock of MUG', { errors: { 'variants.v1': ['out of stock'] } });
    expect(error).toBeInstanceOf(PlinthError);
    expect(isPlinthError(error)).toBe(true);
    expect([error.status, error.code, error.message]).toEqual([409, 'out_of_stock', 'Not enough stock of MUG']);
    expect(error.errors).toEqual({ 'variants.v1': ['out of stock'] });
  });

  it('uses the description when no message is given', () => {
    expect(shopErrors.cart_closed().message).toBe('The cart has been checked out');
  });

  it('describes each entry', () => {
    const { code, status, description, owner } = shopErrors.out_of_stock;
    expect({ code, status, description, owner }).toEqual({
      code: 'out_of_stock',
      status: 409,
      description: 'A variant has fewer units than asked for',
      owner: 'shop',
    });
  });

  it('refuses codes that are not snake_case', () => {
    expect(() => defineErrors('shop', { OutOfStock: { status: 409, description: 'x' } })).toThrow('code "OutOfStock" must be snake_case');
    expect(() => defineErrors('shop', { 'out-of-stock': { status: 409, description: 'x' } })).toThrow('snake_case');
  });

  it('refuses statuses other than 4xx and 503, and empty descriptions', () => {
    expect(defineErrors('pay', { provider_down: { status: 503, description: 'x' } }).provider_down().status).toBe(503);
    expect(() => defineErrors('shop', { broken: { status: 500, description: 'x' } })).toThrow('shop errors: broken has status 500');
    expect(() => defineErrors('shop', { moved: { status: 302, description: 'x' } })).toThrow('has status 302');
    expect(() => defineErrors('shop', { vague: { status: 400, description: ' ' } })).toThrow('vague needs a description');
  });
});

describe('defineErrors types', () => {
  const errors = defineErrors('typetest', { widget_broken: { status: 409, description: 'The widget is broken' } });

  it('types each entry by its code and refuses unknown codes', () => {
    const code: 'widget_broken' = errors.widget_broken.code;
    // @ts-expect-error -- no such code in the catalogue
    expect(errors.widget_lost).toBeUndefined();
    expect(code).toBe('widget_broken');
  });
});

describe('commonErrors', () => {
  it('describes exactly the codes and statuses the error classes throw', () => {
    const thrown = [
      new BadRequestError(),
      new UnauthenticatedError(),
      new ForbiddenError(),
      new NotFoundError(),
      new ConflictError(),
      new PayloadTooLargeError(),
      new UnsupportedMediaTypeError(),
      new ValidationError({}),
      new RateLimitedError(1),
    ];
    expect(Object.values(commonErrors).map(({ code, status }) => ({ code, status }))).toEqual(thrown.map(({ code, status }) => ({ code, status })));
    for (const [key, entry] of Object.entries(commonErrors)) expect(entry.code).toBe(key);
  });
});
