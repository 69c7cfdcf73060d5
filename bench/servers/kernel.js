// The Plinth kernel serving the benchmark's two routes through the full request path.
// BENCH_ROUTE=plain: a route reading a row by primary key with knex (no auth, no tenant).
// BENCH_ROUTE=tenant: authenticated (JWT), tenant-scoped (X-Tenant), permission-checked, RLS transaction, prepared select by id.
import { corePermissions, defineRoute, kernelRefs } from '@plinth/core';
import { generatedPlugins } from '../lib/generated-plugins.js';
import { startKernel } from '../lib/kernel.js';
import { serve } from '../lib/server.js';

const plain = defineRoute({
  method: 'GET',
  path: '/bench/items/:id',
  summary: 'bench: knex select by id',
  public: true,
  errors: [],
  deps: { database: kernelRefs.database },
  async handler({ ctx, deps }) {
    return deps.database
      .knex('bench_items')
      .where({ id: Number(ctx.params.id) })
      .first('id', 'name', 'price');
  },
});

const tenant = defineRoute({
  method: 'GET',
  path: '/bench/tenant-items/:id',
  summary: 'bench: authenticated tenant-scoped select by id',
  permission: corePermissions['tenant.view'],
  errors: [],
  async handler({ ctx, db }) {
    const [row] = await db.query('select id, name, price from bench_items where id = $1', [Number(ctx.params.id)]);
    return row;
  },
});

// BENCH_PLUGINS generated plugins, installed and enabled for the bench tenant.
const plugins = generatedPlugins(Number(process.env.BENCH_PLUGINS ?? 0));
const kernel = await startKernel(process.env.BENCH_DATABASE_URL, { role: 'api', routes: [plain, tenant], plugins });
if (plugins.length > 0) {
  const { knex } = kernel.services.database;
  const { id } = await knex('tenants').where({ slug: 'bench' }).first('id');
  await knex('tenant_plugins')
    .insert(plugins.map((plugin) => ({ tenant_id: id, plugin: plugin.name, enabled: true, settings: {}, enabled_at: new Date() })))
    .onConflict(['tenant_id', 'plugin'])
    .ignore();
}
serve(`${kernel.url}/api/v1/bench/${process.env.BENCH_ROUTE === 'tenant' ? 'tenant-items' : 'items'}`, () => kernel.stop());
