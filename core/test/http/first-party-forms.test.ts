import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Plugin } from '@plinth/sdk';
import { describe, expect, it } from 'vitest';

// Issue 20: the first-party plugins' schemas make humane forms, and their annotations change nothing the server does.
const plugins: Plugin[] = [bioSites, crm, integrations, lms, payments, shop];
type Schema = { properties?: Record<string, Schema>; default?: unknown; title?: string; allOf?: Schema[] };

/** Top-level properties of a body schema (TypeBox `Composite` is flattened already). */
const propertiesOf = (schema: Schema | undefined) => Object.entries(schema?.properties ?? {});

describe('first-party plugin schemas', () => {
  it('put no default in an update body: ajv would fill it in, changing what leaving a field out means', () => {
    const offending: string[] = [];
    let checked = 0;
    for (const plugin of plugins)
      for (const route of plugin.routes) {
        if (route.method !== 'PATCH') continue;
        checked += 1;
        for (const [name, property] of propertiesOf(route.schema?.body as Schema | undefined))
          if ('default' in property) offending.push(`${plugin.name} PATCH ${route.path} ${name}`);
      }
    expect(offending).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('give every setting a title and a default', () => {
    const missing: string[] = [];
    for (const plugin of plugins)
      for (const [name, property] of propertiesOf(plugin.settings as Schema | undefined)) {
        if (!property.title) missing.push(`${plugin.name} ${name}: title`);
        if (!('default' in property) && name !== 'currency') missing.push(`${plugin.name} ${name}: default`);
      }
    expect(missing).toEqual([]);
  });

  it('annotate the fields the issue names: prices as money, the tax rate as a percent, relations as references', () => {
    const body = (plugin: Plugin, method: string, path: string) =>
      plugin.routes.find((route) => route.method === method && route.path === path)!.schema!.body as Record<string, unknown>;
    expect(body(shop, 'POST', '/products')).toMatchObject({
      properties: {
        category_id: { anyOf: [{ format: 'uuid', 'x-plinth-ref': { resource: '/shop/categories' } }, { type: 'null' }] },
        variants: { type: 'array', items: { properties: { price: { type: 'integer', 'x-plinth-widget': 'money' }, sku: { title: 'SKU' } } } },
      },
    });
    expect(shop.settings).toMatchObject({ properties: { tax_rate_bps: { title: 'Tax rate', 'x-plinth-widget': 'basis-points' } } });
    expect(body(lms, 'POST', '/courses')).toMatchObject({
      properties: {
        instructor_ids: { items: { 'x-plinth-ref': { resource: '/members', value: 'user_id', label: 'name', detail: 'email' } } },
        shop_product_id: { anyOf: [{ 'x-plinth-ref': { resource: '/shop/products' } }, { type: 'null' }] },
      },
    });
    expect(body(lms, 'POST', '/modules/:id/lessons')).toMatchObject({
      properties: { content_html: { 'x-plinth-widget': 'richtext' }, required: { default: true }, free_preview: { default: false } },
    });
  });
});
