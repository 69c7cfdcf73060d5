// Type tests of plan limits: every `@ts-expect-error` line must fail to compile (`npm run typecheck`).
import { describe, expect, it } from 'vitest';
import { coreServices, definePermissions, definePlugin, limitErrors, Type, type LimitState } from '../src/index.js';

const permissions = definePermissions('limited', { 'items.manage': { description: 'Change items', grantTo: ['admin'] } });

const plugin = definePlugin({
  name: 'limited',
  version: '1.0.0',
  title: 'Limited',
  description: 'Counts items against the plan',
  category: 'demo',
  requires: { core: '*' },
  deps: { db: coreServices.db, limits: coreServices.limits },
  permissions,
  limits: {
    items: { label: 'Items', usage: async ({ db }) => (await db.one<{ n: number }>('select count(*)::int as n from limited_items'))?.n ?? 0 },
    // @ts-expect-error usage counts a number
    pages: { label: 'Pages', usage: async () => 'many' },
  },
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/items',
      summary: 'Create an item',
      permission: permissions['items.manage'],
      schema: { response: Type.Object({ limit: Type.String() }) },
      errors: [limitErrors.limit_reached],
      async handler({ deps }) {
        await deps.limits.ensure('items', 2);
        // @ts-expect-error adding is a number
        await deps.limits.ensure('items', '2');
        const state: LimitState = await deps.limits.state('items');
        return { limit: state.limit };
      },
    }),
  ],
});

describe('definePlugin({ limits })', () => {
  it('keeps the limits on the plugin, and limit_reached is core’s 409', () => {
    expect(Object.keys(plugin.limits ?? {})).toEqual(['items', 'pages']);
    expect(plugin.limits?.items?.label).toBe('Items');
    const { code, status, owner } = limitErrors.limit_reached;
    expect({ code, status, owner }).toEqual({ code: 'limit_reached', status: 409, owner: 'core' });
    expect(limitErrors.limit_reached('Full')).toMatchObject({ status: 409, code: 'limit_reached', message: 'Full' });
    const bare = definePlugin({ name: 'bare', version: '1.0.0', title: 'Bare', description: 'No limits', category: 'demo', requires: { core: '*' } });
    expect(bare.limits).toEqual({});
  });
});
