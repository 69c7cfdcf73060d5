import { afterEach, describe, expect, it, vi } from 'vitest';
import { fieldsOf } from '../web/src/fields/model.js';
import { setLanguage } from '../web/src/i18n.js';
import {
  inSentence,
  loadPluginTranslations,
  onPluginTranslations,
  pluginOf,
  pluginSingular,
  pluginText,
  pluginWords,
  providePluginTranslations,
} from '../web/src/plugin-text.js';

afterEach(() => {
  setLanguage('en');
  vi.unstubAllGlobals();
});

describe('pluginText', () => {
  it('keeps the English in English, without asking the server', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    setLanguage('en');
    expect(pluginText('shop', 'Products')).toBe('Products');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('fetches a language once, falls back to the English meanwhile, and tells listeners when the text arrives', async () => {
    const fetch = vi.fn(async (url: string) => {
      expect(url).toBe('/api/v1/translations/ar');
      return new Response(JSON.stringify({ data: { shop: { Products: 'المنتجات', Product: 'منتج', 'Compare at price': 'السعر قبل الخصم' } } }), {
        headers: { 'content-type': 'application/json' },
      });
    });
    vi.stubGlobal('fetch', fetch);
    setLanguage('ar');
    let heard = 0;
    const stop = onPluginTranslations(() => heard++);
    expect(pluginText('shop', 'Products')).toBe('Products');
    expect(pluginText('shop', 'Product')).toBe('Product');
    await loadPluginTranslations('ar');
    stop();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(heard).toBe(1);
    expect(pluginText('shop', 'Products')).toBe('المنتجات');
    expect(pluginSingular('shop', 'Products')).toBe('منتج');
    expect(pluginWords('shop', 'compare_at_price')).toBe('السعر قبل الخصم');
    // Another plugin's catalogue, a missing text, and core's own screens keep the English.
    expect(pluginText('crm', 'Products')).toBe('Products');
    expect(pluginText('shop', 'Variants')).toBe('Variants');
    expect(pluginText(undefined, 'Products')).toBe('Products');
    await loadPluginTranslations('ar');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('translates generated form fields: labels, help, choices and row names', () => {
    providePluginTranslations('ar', {
      shop: { Price: 'السعر', 'Before discounts': 'قبل الخصومات', 'In stock': 'متوفر', Variants: 'المتغيرات', Variant: 'متغير' },
    });
    setLanguage('ar');
    const schema = {
      type: 'object',
      properties: {
        price: { type: 'integer', title: 'Price', description: 'Before discounts', 'x-plinth-widget': 'money' as const },
        status: { type: 'string', enum: ['in_stock', 'sold_out'] },
        variants: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
      },
    };
    const [price, status, variants] = fieldsOf(schema, { currency: 'USD', timeZone: 'UTC', plugin: 'shop' });
    expect(price).toMatchObject({ label: 'السعر', hint: 'قبل الخصومات' });
    expect(status?.optionLabels).toEqual({ in_stock: 'متوفر', sold_out: 'Sold out' });
    expect(variants).toMatchObject({ label: 'المتغيرات', itemLabel: 'متغير' });
    // The control does not depend on the language: the same choice of widget as in English.
    setLanguage('en');
    const [, english] = fieldsOf(schema, { currency: 'USD', timeZone: 'UTC', plugin: 'shop' });
    expect(english?.kind).toBe(status?.kind);
    expect(english?.optionLabels).toEqual({ in_stock: 'In stock', sold_out: 'Sold out' });
  });

  it('names the plugin of an API path and lower-cases nouns in English sentences only', () => {
    expect(pluginOf('/shop/products/1')).toBe('shop');
    setLanguage('en');
    expect(inSentence('Product')).toBe('product');
    setLanguage('ar');
    expect(inSentence('منتج')).toBe('منتج');
  });
});
