// The Plinth kernel serving the benchmark's two routes through the full request path.
// BENCH_ROUTE=plain: a route reading a row by primary key with knex (no auth, no tenant).
// BENCH_ROUTE=tenant: authenticated (JWT), tenant-scoped (X-Tenant), permission-checked, RLS transaction, prepared select by id.
import { defineRoute } from '@plinth/core';
import { definePermissions, definePlugin, Type } from '@plinth/sdk';
import { startKernel } from '../lib/kernel.js';
import { serve } from '../lib/server.js';

/** BENCH_PLUGINS generated plugins, 10 routes each, installed and enabled for the bench tenant. */
function generatedPlugins(count) {
  return Array.from({ length: count }, (_, index) => {
    const name = `gen-${index}`;
    const permissions = definePermissions(name, { 'things.view': { description: 'View things', grantTo: ['member'] } });
    return definePlugin({
      name,
      version: '1.0.0',
      title: `Generated ${index}`,
      description: 'A generated plugin for the benchmark',
      category: 'bench',
      requires: { core: '>=0.1.0' },
      permissions,
      settings: Type.Object({ level: Type.Integer({ default: index }) }),
      routes: ({ route }) =>
        Array.from({ length: 10 }, (_, routeIndex) =>
          route({
            method: 'GET',
            path: `/things-${routeIndex}/:id`,
            summary: 'A thing',
            permission: permissions['things.view'],
            async handler({ ctx }) {
              return { level: ctx.settings.level };
            },
          }),
        ),
    });
  });
}

const plain = defineRoute({
  method: 'GET',
  path: '/bench/items/:id',
  summary: 'bench: knex select by id',
  access: { public: true },
  async handler({ ctx, services }) {
    return services.database
      .knex('bench_items')
      .where({ id: Number(ctx.params.id) })
      .first('id', 'name', 'price');
  },
});

const tenant = defineRoute({
  method: 'GET',
  path: '/bench/tenant-items/:id',
  summary: 'bench: authenticated tenant-scoped select by id',
  access: { permission: 'core.tenant.view' },
  async handler({ ctx, db }) {
    const [row] = await db.prepared('bench-item', 'select id, name, price from bench_items where id = $1', [Number(ctx.params.id)]);
    return row;
  },
});

const plugins = generatedPlugins(Number(process.env.BENCH_PLUGINS ?? 0));
const kernel = await startKernel(process.env.BENCH_DATABASE_URL, { role: 'api', routes: [plain, tenant], plugins });
if (plugins.length > 0) {
  const { knex } = kernel.container.cradle.database;
  const { id } = await knex('tenants').where({ slug: 'bench' }).first('id');
  await knex('tenant_plugins')
    .insert(plugins.map((plugin) => ({ tenant_id: id, plugin: plugin.name, enabled: true, settings: {}, enabled_at: new Date() })))
    .onConflict(['tenant_id', 'plugin'])
    .ignore();
}
serve(`${kernel.url}/api/v1/bench/${process.env.BENCH_ROUTE === 'tenant' ? 'tenant-items' : 'items'}`, () => kernel.stop());
