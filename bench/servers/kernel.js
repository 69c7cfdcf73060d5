// The Plinth kernel serving the benchmark's two routes through the full request path.
// BENCH_ROUTE=plain: a route reading a row by primary key with knex (no auth, no tenant).
// BENCH_ROUTE=tenant: authenticated (JWT), tenant-scoped (X-Tenant), permission-checked, RLS transaction, prepared select by id.
import { createKernel, defineRoute, loadConfig } from '@plinth/core';

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

const config = await loadConfig({
  env: { ...process.env, DATABASE_URL: process.env.BENCH_DATABASE_URL, PORT: '0', LOG_LEVEL: 'warn', PLINTH_ROLE: 'api' },
});
const kernel = await createKernel(config, { routes: [plain, tenant] });
await kernel.start();
process.send?.({ url: `${kernel.url}/api/v1/bench/${process.env.BENCH_ROUTE === 'tenant' ? 'tenant-items' : 'items'}` });
process.on('message', (message) => message === 'stop' && kernel.stop().then(() => process.exit(0)));
