import { createKernel, loadConfig } from '@plinth/core';

/**
 * Boots and starts a kernel on `databaseUrl`, on a free port, logging warnings only. `role` sets PLINTH_ROLE
 * (`'api'`: no job worker); `plugins` and `routes` go to `createKernel`.
 */
export async function startKernel(databaseUrl, { role, plugins, routes } = {}) {
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'warn', ...(role ? { PLINTH_ROLE: role } : {}) };
  const kernel = await createKernel(await loadConfig({ env }), { plugins, routes });
  await kernel.start();
  return kernel;
}

/** Sends a JSON request to a running kernel and returns the JSON answer; throws on a status of 300 or more. */
export async function call(kernel, method, route, body, headers = {}) {
  const response = await fetch(`${kernel.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Registers the bench owner with its tenant `bench`, and lifts the tenant's request quota: the load far exceeds the
 * default, and a benchmark measures cost, not the limiter's refusals. Returns the tenant's id and the owner's
 * headers (bearer token and `X-Tenant`).
 */
export async function benchTenant(kernel) {
  const { data } = await call(kernel, 'POST', '/api/v1/auth/register', {
    email: 'bench@example.test',
    password: 'bench-password-4821',
    name: 'Bench',
    tenant: { name: 'Bench', slug: 'bench' },
  });
  const { knex } = kernel.services.database;
  await knex.raw(`update tenants set quotas = '{"requests_per_minute": 1000000000}' where id = ?`, [data.tenant.id]);
  return { id: data.tenant.id, headers: { authorization: `Bearer ${data.tokens.access_token}`, 'x-tenant': 'bench' } };
}

/**
 * Ends a benchmark whose kernel ran the job worker, once it has stopped: agenda leaves a 5-minute liveness timer
 * behind for each job the worker ran, and the process would otherwise wait for them.
 */
export function exitAfterWorker() {
  process.exit();
}
