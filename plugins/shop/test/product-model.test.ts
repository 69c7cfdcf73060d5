import { describe, expect, it } from 'vitest';
import { combinations, optionsOf, planVariants, rowChanged, type Variant } from '../web/parts/product-model.js';

/** The product editor's rules for options and variants (pure: no browser needed). */
const variant = (id: string, sku: string, attributes: Record<string, string> = {}, price = 1990): Variant => ({
  id,
  sku,
  name: Object.values(attributes).join(' / '),
  price,
  compare_at_price: 2490,
  attributes,
  stock: 0,
});

const size = { name: 'Size', values: ['S', 'M'] };
const colour = { name: 'Colour', values: ['red', 'blue'] };

describe('product editor: options and variants', () => {
  it('reads the options from the variants, in order of first appearance', () => {
    expect(optionsOf([variant('1', 'A', { Size: 'M', Colour: 'red' }), variant('2', 'B', { Size: 'S', Colour: 'red' })])).toEqual([
      { name: 'Size', values: ['M', 'S'] },
      { name: 'Colour', values: ['red'] },
    ]);
  });

  it('makes every combination, the first option varying slowest', () => {
    expect(combinations([size, colour])).toEqual([
      { Size: 'S', Colour: 'red' },
      { Size: 'S', Colour: 'blue' },
      { Size: 'M', Colour: 'red' },
      { Size: 'M', Colour: 'blue' },
    ]);
  });

  it('without options: the saved variants as they are, or one new row', () => {
    expect(planVariants([], []).rows.map((row) => row.key)).toEqual(['default']);
    const saved = [variant('1', 'A'), variant('2', 'B')];
    expect(planVariants(saved, [{ name: 'Size', values: [] }])).toEqual({ rows: saved.map((item) => expect.objectContaining({ key: item.id })), removed: [] });
  });

  it('the product’s single variant is adopted by the first combination; the others are new, priced like it', () => {
    const plan = planVariants([variant('1', 'MUG')], [size, colour]);
    expect(plan.removed).toEqual([]);
    expect(plan.rows.map((row) => [row.key, row.title, row.seed?.sku])).toEqual([
      ['1', 'S / red', undefined],
      ['new:{"Size":"S","Colour":"blue"}', 'S / blue', 'MUG-S-BLUE'],
      ['new:{"Size":"M","Colour":"red"}', 'M / red', 'MUG-M-RED'],
      ['new:{"Size":"M","Colour":"blue"}', 'M / blue', 'MUG-M-BLUE'],
    ]);
    expect(plan.rows[1]!.seed).toMatchObject({ price: 1990, compare_at_price: 2490 });
    expect(rowChanged(plan.rows[0]!)).toBe(true);
  });

  it('keeps exact matches, adopts variants made before an option was added, and deletes the rest', () => {
    const saved = [variant('1', 'TEE-S', { Size: 'S' }), variant('2', 'TEE-M', { Size: 'M' }), variant('3', 'TEE-L', { Size: 'L' })];
    const plan = planVariants(saved, [size, colour]);
    expect(plan.rows.map((row) => row.key)).toEqual(['1', 'new:{"Size":"S","Colour":"blue"}', '2', 'new:{"Size":"M","Colour":"blue"}']);
    expect(plan.rows[1]!.seed?.sku).toBe('TEE-S-BLUE');
    expect(plan.removed.map((item) => item.id)).toEqual(['3']);

    const exact = planVariants([variant('9', 'TEE-S-RED', { Size: 'S', Colour: 'red' })], [size, colour]);
    expect(rowChanged(exact.rows[0]!)).toBe(false);
  });
});
