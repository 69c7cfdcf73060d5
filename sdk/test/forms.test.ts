import { Kind } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { BasisPoints, Money, Ref, RichText, Type, Widget } from '../src/index.js';

describe('form schema builders', () => {
  it('Money is a non-negative integer marked money, with options and an optional currency field', () => {
    expect(Money()).toMatchObject({ type: 'integer', minimum: 0, 'x-plinth-widget': 'money' });
    expect(Money()).not.toHaveProperty('x-plinth-currency-field');
    expect(Money({ title: 'Amount', minimum: -1000, currencyField: 'currency' })).toMatchObject({
      type: 'integer',
      minimum: -1000,
      title: 'Amount',
      'x-plinth-currency-field': 'currency',
    });
    expect(Money({ currencyField: 'currency' })).not.toHaveProperty('currencyField');
  });

  it('BasisPoints is an integer from 0 to 10 000 unless told otherwise', () => {
    expect(BasisPoints({ title: 'Tax rate', default: 0 })).toMatchObject({
      type: 'integer',
      minimum: 0,
      maximum: 10_000,
      default: 0,
      title: 'Tax rate',
      'x-plinth-widget': 'basis-points',
    });
    expect(BasisPoints({ maximum: 50_000 }).maximum).toBe(50_000);
  });

  it('Ref is a uuid string naming its resource, with only the display options given', () => {
    expect(Ref('/shop/categories')).toMatchObject({ type: 'string', format: 'uuid', 'x-plinth-ref': { resource: '/shop/categories' } });
    const instructor = Ref('/members', { value: 'user_id', label: 'name', detail: 'email', title: 'Instructor' });
    expect(instructor['x-plinth-ref']).toEqual({ resource: '/members', value: 'user_id', label: 'name', detail: 'email' });
    expect(instructor.title).toBe('Instructor');
    expect(instructor).not.toHaveProperty('value');
    expect(instructor).not.toHaveProperty('label');
  });

  it('RichText is a string marked richtext', () => {
    expect(RichText({ maxLength: 10 })).toMatchObject({ type: 'string', maxLength: 10, 'x-plinth-widget': 'richtext' });
  });

  it('Widget marks a copy, which stays a TypeBox schema of the same kind', () => {
    const color = Type.String({ pattern: '^#[0-9a-f]{6}$' });
    const marked = Widget(color, 'color');
    expect(marked).toMatchObject({ type: 'string', pattern: '^#[0-9a-f]{6}$', 'x-plinth-widget': 'color' });
    expect(marked[Kind]).toBe('String');
    expect(color).not.toHaveProperty('x-plinth-widget');
    // @ts-expect-error -- not a widget forms know
    expect(Widget(color, 'slider')).toBeDefined();
  });
});
