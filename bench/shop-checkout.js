// Shop checkout benchmark: POST /api/v1/shop/store/carts/:token/checkout on prepared anonymous carts, through the
// full public request path (tenant from X-Tenant, rate limiter, RLS transaction): pricing, the discount hook, the
// conditional stock update and ledger, gap-free order numbering, the payment intent (payments' service), the outbox
// event and the expiry job. Prints checkouts/s and p50/p99 latency.
// Needs the shop and payments plugins built (`npx tsc -b plugins/shop/tsconfig.json`); uses DATABASE_URL when set,
// otherwise an embedded PostgreSQL in a temporary folder.
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { scratchDatabase } from './lib/database.js';
import { benchTenant, call, exitAfterWorker, startKernel } from './lib/kernel.js';
import { load, settings } from './lib/measure.js';

const { duration, connections } = settings({ duration: 10, connections: 10 });
const variants = 200;
const carts = Number(process.env.BENCH_CARTS ?? 40_000);

/** A kernel with the shop (and payments) enabled for the bench tenant, a catalogue and prepared carts. */
async function prepare(databaseUrl) {
  const kernel = await startKernel(databaseUrl, { plugins: [payments, shop] });
  const tenant = await benchTenant(kernel);
  await call(
    kernel,
    'POST',
    '/api/v1/marketplace/shop/enable?with_dependencies=true',
    { settings: { tax_rate_bps: 2000, shipping_rates: [{ code: 'standard', name: 'Standard', amount: 500 }] } },
    tenant.headers,
  );
  const tenantId = tenant.id;
  const { knex } = kernel.services.database;
  // A catalogue of 200 active products (one variant each, plenty of stock) and prepared carts of one line (1–3 units).
  await knex.raw(
    `insert into shop_products (tenant_id, name, slug, status) select ?, 'Product ' || g, 'product-' || g, 'active' from generate_series(1, ?) g`,
    [tenantId, variants],
  );
  await knex.raw(
    `insert into shop_variants (tenant_id, product_id, sku, price, stock) select tenant_id, id, 'SKU-' || slug, 1000 + (random() * 9000)::int, 1000000
       from shop_products where tenant_id = ?`,
    [tenantId],
  );
  await knex.raw(`insert into shop_carts (tenant_id, token) select ?, 'bench-cart-' || lpad(g::text, 8, '0') from generate_series(1, ?) g`, [tenantId, carts]);
  await knex.raw(
    `insert into shop_cart_lines (tenant_id, cart_id, variant_id, quantity)
       select c.tenant_id, c.id, v.id, 1 + c.n % 3
         from (select id, tenant_id, row_number() over (order by token) as n from shop_carts where tenant_id = ?) c
         join (select id, row_number() over (order by sku) - 1 as k from shop_variants where tenant_id = ?) v on v.k = c.n % ?`,
    [tenantId, tenantId, variants],
  );
  await knex.raw('analyze');
  return kernel;
}

let next = 0;
/** Checks out the next prepared carts, one each, anonymously (tenant from X-Tenant). */
function checkout(kernel, seconds) {
  const request = {
    method: 'POST',
    setupRequest: (base) => {
      const token = `bench-cart-${String(++next).padStart(8, '0')}`;
      return { ...base, path: `/api/v1/shop/store/carts/${token}/checkout`, body: JSON.stringify({ customer: { email: `buyer${next % 5000}@example.test` } }) };
    },
  };
  const headers = { 'x-tenant': 'bench', 'content-type': 'application/json' };
  return load(kernel.url, { seconds, connections, headers, request }).catch((error) => {
    throw next > carts ? new Error(`ran out of prepared carts (${carts}); raise BENCH_CARTS`) : error;
  });
}

const database = await scratchDatabase('plinth_bench_shop');
try {
  const kernel = await prepare(database.url);
  try {
    console.log(`shop checkout: ${carts} prepared anonymous carts over ${variants} variants, ${connections} connections, ${duration} s`);
    await checkout(kernel, 2);
    const result = await checkout(kernel, duration);
    console.log(
      `POST /api/v1/shop/store/carts/:token/checkout  ${result.rps.toFixed(0)} checkouts/s   p50 ${result.p50} ms   p99 ${result.p99} ms   max ${result.max} ms`,
    );
  } finally {
    await kernel.stop();
  }
} finally {
  await database.dispose();
}
exitAfterWorker();
