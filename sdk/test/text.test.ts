import { describe, expect, it } from 'vitest';
import { humanize, singular } from '../src/text.js';
import * as sdk from '../src/index.js';

describe('humanize', () => {
  it.each([
    ['compare_at_price', 'Compare at price'],
    ['in_stock', 'In stock'],
    ['dust-off', 'Dust off'],
    ['compareAtPrice', 'Compare at price'],
    ['SKU', 'Sku'],
    ['  __name__ ', 'Name'],
    ['', ''],
  ])('%j → %j', (name, words) => expect(humanize(name)).toBe(words));
});

describe('singular', () => {
  it.each([
    ['Products', 'Product'],
    ['Categories', 'Category'],
    ['Boxes', 'Box'],
    ['Batches', 'Batch'],
    ['Addresses', 'Address'],
    ['Address', 'Address'],
    ['Variant', 'Variant'],
    ['Shelf items', 'Shelf item'],
  ])('%j → %j', (label, one) => expect(singular(label)).toBe(one));
});

it('is exported from the SDK entry and its own subpath', async () => {
  expect(sdk.humanize).toBe(humanize);
  const subpath: { singular: typeof singular } = await import('@plinth/sdk/text');
  expect(subpath.singular('Modules')).toBe('Module');
});
