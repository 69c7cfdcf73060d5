// Read-by-id benchmark: the kernel against a bare Koa + pg baseline, same run, same database.
import { createTenantTable } from '@plinth/core';
import { scratchDatabase } from './lib/database.js';
import { benchTenant, startKernel } from './lib/kernel.js';
import { measureAll, row, settings } from './lib/measure.js';

const { duration, rounds, connections } = settings({ duration: 5, rounds: 3, connections: 50 });
const rows = 1000;

/** Core's schema, a tenant with an owner, and `bench_items` as an RLS-protected tenant table; returns the owner's headers. */
async function prepare(databaseUrl) {
  const kernel = await startKernel(databaseUrl, { role: 'api' });
  const tenant = await benchTenant(kernel);
  const { knex } = kernel.services.database;
  await createTenantTable(knex, 'bench_items', (table) => {
    table.integer('number').notNullable();
    table.text('name').notNullable();
    table.integer('price').notNullable();
  });
  await knex.raw('alter table bench_items drop constraint bench_items_pkey, alter column id drop default, alter column id type int using 0');
  await knex.raw(`insert into bench_items (id, tenant_id, number, name, price) select g, ?, g, 'item ' || g, g * 100 from generate_series(1, ${rows}) g`, [
    tenant.id,
  ]);
  await knex.raw('alter table bench_items add primary key (id)');
  await kernel.stop();
  return tenant.headers;
}

const database = await scratchDatabase('plinth_bench');
try {
  const headers = await prepare(database.url);
  console.log(
    `read by id: ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians), ${rows} rows, loopback, one process each`,
  );
  let counter = 0;
  // Each server reports its collection's URL; the requests walk through the rows by id.
  const request = { setupRequest: (next) => ({ ...next, path: `${next.path}/${(counter++ % rows) + 1}` }) };
  const env = { BENCH_DATABASE_URL: database.url };
  const [bare, plain, tenant, tenant50] = await measureAll(
    [
      { file: 'bare.js', env, request },
      { file: 'kernel.js', env: { ...env, BENCH_ROUTE: 'plain' }, request },
      { file: 'kernel.js', env: { ...env, BENCH_ROUTE: 'tenant', BENCH_PLUGINS: '1' }, headers, request },
      { file: 'kernel.js', env: { ...env, BENCH_ROUTE: 'tenant', BENCH_PLUGINS: '50' }, headers, request },
    ],
    { rounds, duration, connections },
  );
  console.log(row('bare Koa + pg (baseline)', bare, bare));
  console.log(row('kernel, public route, knex select by id', plain, bare));
  console.log(row('kernel, JWT + tenant + permission + RLS tx + select', tenant, bare));
  console.log(row('  same, 50 plugins installed and enabled (10 routes each)', tenant50, bare));
  console.log(`per-request cost with 50 plugins vs 1: ${((tenant.rps / tenant50.rps - 1) * 100).toFixed(1)}%`);
} finally {
  await database.dispose();
}
