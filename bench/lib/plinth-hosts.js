// What the benchmarks that run `plinth start` hosts share (plugin-routes.js, plugin-count.js): the first-party
// plugins, the 43 generated ones that make 50, a host's environment, sessions, and the tenant they read from.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { call } from './kernel.js';

export const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Every first-party plugin, by name; `firstPartyPackages` are the packages a host lists. */
export const firstParty = ['payments', 'shop', 'crm', 'lms', 'bio-sites', 'integrations', 'console'];
export const firstPartyPackages = firstParty.map((name) => `@plinth/plugin-${name}`);

/** 43 generated plugins as packages a host lists (`generated-plugins.js`), each a file in `folder`; returns their paths. */
export function writeGeneratedPlugins(folder) {
  const library = pathToFileURL(path.join(repo, 'bench/lib/generated-plugins.js')).href;
  return Array.from({ length: 50 - firstParty.length }, (_, index) => {
    const file = path.join(folder, `gen-${index}.mjs`);
    writeFileSync(file, `import { generatedPlugin } from '${library}';\nexport default generatedPlugin(${index});\n`);
    return file;
  });
}

/**
 * The environment of the hosts of one run on `databaseUrl` (production, a free port, warnings only, data in
 * `dataDir`, one secret, key and public URL for all). `plinthEnv(name, plugins, extra)` is one host's: each keeps its own cache
 * namespace in a shared Redis (`plinth-bench-<run>-<name>:`), as their installed plugins differ and each run's tenant
 * is new.
 */
export function hostEnvironment(databaseUrl, dataDir) {
  const run = randomBytes(4).toString('hex');
  const host = {
    NODE_ENV: 'production',
    // The hosts' V8 flags, as a deployment sets them (docs/deployment.md, Memory); Node's defaults when unset.
    ...(process.env.BENCH_HOST_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_HOST_NODE_OPTIONS } : {}),
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'warn',
    PLINTH_DATA_DIR: dataDir,
    PLINTH_JWT_SECRET: randomBytes(32).toString('hex'),
    PLINTH_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    // One host behind one address, as a deployment's nodes are: the issuer of the access tokens every host accepts.
    PLINTH_PUBLIC_URL: 'http://plinth-bench.localhost',
  };
  return {
    run,
    plinthEnv: (name, plugins, extra = {}) => ({ ...host, PLINTH_REDIS_PREFIX: `plinth-bench-${run}-${name}:`, PLINTH_PLUGINS: plugins.join(','), ...extra }),
  };
}

/** Signs in; returns `headers()`, the caller's headers for tenant `bench`, signing in again before the 15-minute access token runs out. */
export async function session(server, { email, password }) {
  let current;
  let signedIn = 0;
  const headers = async () => {
    if (Date.now() - signedIn > 10 * 60_000) {
      const { data } = await call(server, 'POST', '/api/v1/auth/login', { email, password });
      current = { authorization: `Bearer ${data.tokens.access_token}`, 'x-tenant': 'bench' };
      signedIn = Date.now();
    }
    return current;
  };
  await headers();
  return headers;
}

/**
 * Marks an account's email verified, as following its verification link would (the bench owner invites members: a
 * mail sent on the tenant's behalf waits for a verified address). Before the account's first authenticated request,
 * so no process holds its state yet.
 */
async function markVerified(env, email) {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('update users set email_verified_at = now() where lower(email) = lower($1)', [email]);
  } finally {
    await client.end();
  }
}

export const benchOwner = { email: 'bench@example.test', password: 'bench-password-4821' };
const benchAdmin = { email: 'bench-admin@example.test', password: 'bench-admin-password-4821' };

/**
 * Registers tenant `bench` with its owner through `plinth`, and has a host administrator (`plinth user create
 * --super-admin`, run with `env`) lift its request quota (the load far exceeds the default) and allow `members`
 * members. Returns the tenant's id and the owner's `headers()`. `checkout` is the repository whose CLI serves `plinth`.
 */
export async function benchTenant(plinth, env, { members = 10, checkout = repo } = {}) {
  const { data } = await call(plinth, 'POST', '/api/v1/auth/register', { ...benchOwner, name: 'Bench', tenant: { name: 'Bench', slug: 'bench' } });
  await markVerified(env, benchOwner.email);
  const headers = await session(plinth, benchOwner);
  const cli = path.join(checkout, 'core/bin/plinth.js');
  execFileSync(
    process.execPath,
    [cli, 'user', 'create', '--super-admin', '--email', benchAdmin.email, '--name', 'Bench admin', '--password', benchAdmin.password],
    {
      cwd: checkout,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const adminHeaders = await session(plinth, benchAdmin);
  await call(plinth, 'PUT', `/api/v1/admin/tenants/${data.tenant.id}/quotas`, { requests_per_minute: 2_000_000_000, members }, await adminHeaders());
  return { tenantId: data.tenant.id, headers };
}

/** Enables each of `plugins` (names) for tenant `bench` through the marketplace of `plinth`, as its owner. */
export async function enablePlugins(plinth, headers, plugins) {
  for (const plugin of plugins) await call(plinth, 'POST', `/api/v1/marketplace/${plugin}/enable`, {}, await headers());
}
