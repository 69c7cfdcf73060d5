// Shop checkout benchmark: POST /api/v1/shop/store/carts/:token/checkout on prepared anonymous carts, through the
// full public request path (tenant from X-Tenant, rate limiter, RLS transaction): pricing, the discount hook, the
// conditional stock update and ledger, gap-free order numbering, the payment intent (payments' service), the outbox
// event and the expiry job. Prints checkouts/s and p50/p99 latency.
// Needs the shop and payments plugins built (`npx tsc -b plugins/shop/tsconfig.json`); uses DATABASE_URL when set,
// otherwise an embedded PostgreSQL in a temporary folder.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { createKernel, loadConfig, startEmbeddedPostgres } from '@plinth/core';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const variants = 200;
const carts = Number(process.env.BENCH_CARTS ?? 40_000);

async function prepare() {
  let embedded;
  let scratch;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-'));
    chmodSync(scratch, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres') });
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('drop database if exists plinth_bench_shop with (force)');
  await admin.query('create database plinth_bench_shop');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/plinth_bench_shop';
  const config = await loadConfig({ env: { ...process.env, DATABASE_URL: url.toString(), PORT: '0', LOG_LEVEL: 'warn' } });
  const kernel = await createKernel(config, { plugins: [payments, shop] });
  await kernel.start();
  const registered = await fetch(`${kernel.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password-4821', name: 'Bench', tenant: { name: 'Bench', slug: 'bench' } }),
  });
  const { data } = await registered.json();
  const headers = { authorization: `Bearer ${data.tokens.access_token}`, 'x-tenant': 'bench', 'content-type': 'application/json' };
  const enabled = await fetch(`${kernel.url}/api/v1/marketplace/shop/enable?with_dependencies=true`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ settings: { tax_rate_bps: 2000, shipping_rates: [{ code: 'standard', name: 'Standard', amount: 500 }] } }),
  });
  if (enabled.status !== 200) throw new Error(`enabling shop failed: ${enabled.status} ${await enabled.text()}`);
  const tenantId = data.tenant.id;
  const { knex } = kernel.container.cradle.database;
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
  await knex.raw(`update tenants set quotas = '{"requests_per_minute": 1000000000}' where id = ?`, [tenantId]);
  return {
    kernel,
    async dispose() {
      await kernel.stop();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query('drop database if exists plinth_bench_shop with (force)');
      await cleanup.end();
      await embedded?.stop();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

let next = 0;
async function load(baseUrl, seconds) {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    headers: { 'x-tenant': 'bench', 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const token = `bench-cart-${String(++next).padStart(8, '0')}`;
          return {
            ...request,
            path: `/api/v1/shop/store/carts/${token}/checkout`,
            body: JSON.stringify({ customer: { email: `buyer${next % 5000}@example.test` } }),
          };
        },
      },
    ],
  });
  if (next > carts) throw new Error(`ran out of prepared carts (${carts}); raise BENCH_CARTS`);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

const bench = await prepare();
try {
  console.log(`shop checkout: ${carts} prepared anonymous carts over ${variants} variants, ${connections} connections, ${duration} s`);
  await load(bench.kernel.url, 2);
  const result = await load(bench.kernel.url, duration);
  console.log(
    `POST /api/v1/shop/store/carts/:token/checkout  ${result.requests.average.toFixed(0)} checkouts/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   max ${result.latency.max} ms`,
  );
} finally {
  await bench.dispose();
}
