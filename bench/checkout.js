// Checkout benchmark: the self-serve purchase path as a host runs it — `plinth start` in production mode with every
// first-party plugin — against a bare page baseline (Koa answering the checkout page's own HTML as a constant) in the
// same run, on one scratch database on a PostgreSQL running on this machine. Seeds tenant `bench` with one active
// product, places pending orders through the storefront API, and prepares anonymous carts in bulk; then measures
// (a) GET /c/bench/checkout/:token, the hosted checkout page of a pending order, and, in rounds of their own (a write
// leaves background work behind), (b) POST /api/v1/shop/store/carts/:token/checkout, each prepared cart checked out
// once. Prints requests/s, p50/p99, the ratio to the baseline and CPU per request (server and PostgreSQL); BENCH_JSON=1
// prints JSON instead. Needs `npm run build`; Linux.
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresCpu, scratchDatabase } from './lib/database.js';
import { call } from './lib/kernel.js';
import { measureAll, row, settings } from './lib/measure.js';
import { benchTenant, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo } from './lib/plinth-hosts.js';
import { startPlinth } from './lib/server.js';

const { duration, rounds, connections } = settings({ duration: 5, rounds: 3, connections: 50 });
/** Checkouts contend for the product's stock row and the tenant's order counter: fewer connections than reads. */
const writeConnections = Number(process.env.BENCH_WRITE_CONNECTIONS ?? 10);
const carts = Number(process.env.BENCH_CARTS ?? 20_000);
const pendingOrders = Number(process.env.BENCH_ORDERS ?? 100);

/**
 * Each request comes from its own client address (the host trusts `X-Forwarded-For`, as behind a proxy): the routes'
 * per-address limits (30 checkouts in 10 minutes) are for one buyer, not for a crowd of them.
 */
let client = 0;
const nextAddress = () => {
  client++;
  return `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`;
};

/** Public (storefront) headers of tenant `bench`, from a new client address. */
const buyer = () => ({ 'x-tenant': 'bench', 'x-forwarded-for': nextAddress() });

/** Runs `task` on each of `values`, `width` at a time. */
async function inParallel(values, width, task) {
  const results = [];
  for (let start = 0; start < values.length; start += width) results.push(...(await Promise.all(values.slice(start, start + width).map(task))));
  return results;
}

/** A pending order placed through the storefront API (cart, line, checkout); returns its hosted checkout page's path. */
async function placeOrder(plinth, variantId, index) {
  const headers = buyer();
  const cart = (await call(plinth, 'POST', '/api/v1/shop/store/carts', undefined, headers)).data;
  await call(plinth, 'POST', `/api/v1/shop/store/carts/${cart.token}/lines`, { variant_id: variantId, quantity: 1 }, headers);
  const body = { customer: { email: `buyer-${index}@example.test`, name: `Buyer ${index}` } };
  const { data } = await call(plinth, 'POST', `/api/v1/shop/store/carts/${cart.token}/checkout`, body, headers);
  const url = data.checkout_url ?? data.order?.checkout_url;
  if (!url) throw new Error('the storefront checkout answer has no checkout_url: the hosted checkout pages are not there yet');
  return new URL(url).pathname;
}

/**
 * Tenant `bench` with every first-party plugin enabled and one active product (one variant, plenty of stock),
 * `pendingOrders` pending orders placed through the API, and `carts` open anonymous carts of one line inserted in
 * bulk (`bench-checkout-<n>`). Returns the checkout pages' paths.
 */
async function prepare(plinth, databaseUrl, env) {
  const { tenantId, headers } = await benchTenant(plinth, env);
  await enablePlugins(
    plinth,
    headers,
    firstParty.filter((name) => name !== 'console'),
  );
  const product = {
    name: 'Bench course pack',
    slug: 'bench-pack',
    status: 'active',
    description: 'The product of the checkout benchmark',
    variants: [{ sku: 'BENCH-PACK', price: 4900, stock: 10_000_000 }],
  };
  const { data } = await call(plinth, 'POST', '/api/v1/shop/products', product, await headers());
  const variantId = data.variants[0].id;
  const pages = await inParallel([...Array(pendingOrders).keys()], 10, (index) => placeOrder(plinth, variantId, index));

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`insert into shop_carts (tenant_id, token) select $1, 'bench-checkout-' || lpad(g::text, 8, '0') from generate_series(1, $2::int) g`, [
      tenantId,
      carts,
    ]);
    await db.query(
      `insert into shop_cart_lines (tenant_id, cart_id, variant_id, quantity)
         select tenant_id, id, $2, 1 from shop_carts where tenant_id = $1 and token like 'bench-checkout-%'`,
      [tenantId, variantId],
    );
    await db.query('analyze');
  } finally {
    await db.end();
  }
  return { pages };
}

/** An autocannon request walking through `paths`, each from a new client address. */
function rotate(paths) {
  let next = 0;
  return { setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length], headers: { ...request.headers, 'x-forwarded-for': nextAddress() } }) };
}

let checkedOut = 0;
/** The storefront checkout of the next prepared cart, once each, from a new client address. */
const checkoutRequest = {
  method: 'POST',
  setupRequest: (request) => {
    const number = ++checkedOut;
    return {
      ...request,
      path: `/api/v1/shop/store/carts/bench-checkout-${String(number).padStart(8, '0')}/checkout`,
      headers: { ...request.headers, 'x-forwarded-for': nextAddress() },
      body: JSON.stringify({ customer: { email: `buyer-${number % 5000}@example.test`, name: 'Bench buyer' } }),
    };
  },
};

const database = await scratchDatabase('plinth_bench_checkout');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-checkout-'));
let plinth;
try {
  const { plinthEnv } = hostEnvironment(database.url, scratch);
  const env = plinthEnv('all', firstPartyPackages, { PLINTH_TRUST_PROXY: 'true' });
  plinth = await startPlinth({ cwd: repo, env });
  const { pages } = await prepare(plinth, database.url, env);
  const sample = await fetch(`${plinth.url}${pages[0]}`);
  const html = await sample.text();
  if (sample.status !== 200) throw new Error(`GET ${pages[0]}: ${sample.status} ${html.slice(0, 300)}`);

  const postgres = await postgresCpu(database.url);
  const bare = { label: 'bare Koa, the same HTML as a constant (baseline)', file: 'page-bare.js', env: { BENCH_HTML: html } };
  const [bareRead, page] = await measureAll([bare, { label: 'GET /c/bench/checkout/:token (pending order)', server: plinth, request: rotate(pages) }], {
    rounds,
    duration,
    connections,
    postgres,
  });
  const [bareWrite, checkout] = await measureAll(
    [
      bare,
      {
        label: 'POST /api/v1/shop/store/carts/:token/checkout',
        server: plinth,
        headers: { 'x-tenant': 'bench', 'content-type': 'application/json' },
        request: checkoutRequest,
      },
    ],
    { rounds, duration, connections: writeConnections, postgres },
  ).catch((error) => {
    // A cart past the prepared ones is unknown: 404s stop the load.
    throw checkedOut > carts ? new Error(`ran out of prepared carts (${carts}); raise BENCH_CARTS`) : error;
  });
  const results = {
    bareRead: { label: `bare page, ${connections} connections (baseline)`, ...bareRead },
    page: { label: 'checkout page GET /c/:tenant/checkout/:token', base: 'bareRead', ...page },
    bareWrite: { label: `bare page, ${writeConnections} connections (baseline)`, ...bareWrite },
    checkout: { label: 'storefront checkout POST …/carts/:token/checkout', base: 'bareWrite', ...checkout },
  };
  const total = (result) => result.cpuPerRequest + (result.pgCpuPerRequest ?? 0);
  if (process.env.BENCH_JSON) {
    const withRatios = Object.fromEntries(
      Object.entries(results).map(([name, result]) => [name, { ...result, ratio: result.rps / results[result.base ?? name].rps }]),
    );
    console.log(JSON.stringify({ settings: { duration, rounds, connections, writeConnections, carts, pendingOrders }, results: withRatios }, null, 2));
  } else {
    console.log(
      `checkout: plinth start (production, every first-party plugin) vs bare Koa answering the checkout page's HTML (${Buffer.byteLength(html)} bytes); ${rounds} interleaved rounds of ${duration} s per target (medians); reads ${connections} connections, checkouts ${writeConnections}`,
    );
    for (const result of Object.values(results)) {
      const base = results[result.base] ?? result;
      console.log(`${row(result.label, result, base, { width: 50, cpuRatio: false })}   server + PG ${total(result).toFixed(0)} µs/req`);
    }
  }
} finally {
  await plinth?.stop();
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
