import { missingTranslations, placeholderMismatches, translatableStrings } from '@plinth/core/testing';
import { describe, expect, it } from 'vitest';
import shop from '../src/index.js';
import { webTexts } from './web-text.js';

/** English keys whose Arabic is a technical token kept as it is. */
const technical: string[] = ['SKU', 'Sku'];

describe('Shop translations', () => {
  const arabic = shop.translations?.ar ?? {};

  it('has Arabic for every text the console can show', () => {
    expect(translatableStrings(shop).length).toBeGreaterThan(50);
    expect(missingTranslations(shop, 'ar')).toEqual([]);
  });

  it('keeps the placeholders of every notification in Arabic', () => {
    expect(Object.keys(shop.notifications?.templates ?? {}).length).toBeGreaterThan(0);
    expect(placeholderMismatches(shop, 'ar')).toEqual([]);
  });

  it('keeps no entry for text the console no longer shows', () => {
    // The console's generated pages show the schema text; the plugin's own screens (web/) their t() literals.
    const shown = new Set([...translatableStrings(shop), ...webTexts()]);
    expect(Object.keys(arabic).filter((english) => !shown.has(english))).toEqual([]);
  });

  it('writes every translation in Arabic script, technical tokens aside', () => {
    const latinOnly = Object.entries(arabic).filter(([, text]) => !/[\u0600-\u06FF]/.test(text));
    expect(latinOnly.map(([english]) => english).sort()).toEqual([...technical].sort());
  });
});
