import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

/** Gates the test opens: a request holding a lock waits on its gate before it returns (and commits). */
const gates = new Map<string, { opened: Promise<void>; open(): void }>();
function gate(name: string): () => void {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.set(name, { opened, open });
  return open;
}

/** Two plugins with the same route: take `deps.db.lock(key)`, wait on a gate, answer. */
function lockingPlugin(name: 'slots' | 'rooms') {
  const permissions = definePermissions(name, { [`${name}.hold`]: { description: 'Hold a lock', grantTo: ['admin'] } });
  return definePlugin({
    name,
    version: '1.0.0',
    title: name,
    description: 'Takes advisory locks (test fixture)',
    category: 'test',
    requires: { core: '^0.1.0' },
    deps: { db: coreServices.db },
    permissions,
    migrations: [],
    routes: ({ route }) => [
      route({
        method: 'POST',
        path: '/hold',
        summary: 'Lock a key until the gate opens',
        permission: permissions[`${name}.hold`]!,
        schema: { body: Type.Object({ key: Type.String(), gate: Type.Optional(Type.String()) }) },
        async handler({ body, deps }) {
          await deps.db.lock(body.key);
          if (body.gate) await gates.get(body.gate)?.opened;
          return { locked_at: Date.now() };
        },
      }),
    ],
  });
}

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [lockingPlugin('slots'), lockingPlugin('rooms')] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  for (const user of [a, b]) for (const plugin of ['slots', 'rooms']) await t.enable(user, plugin);
});
afterAll(() => t.close());

const hold = (user: TestUser, plugin: string, key: string, gateName?: string) =>
  t.request('POST', `/api/v1/${plugin}/hold`, { headers: user.headers, body: { key, ...(gateName ? { gate: gateName } : {}) } });

/** Advisory locks of this test's database held (`granted`) or waited for, now. */
const advisoryLocks = async (granted: boolean) =>
  (
    await t.sql<{ n: number }>(
      "select count(*)::int as n from pg_locks where locktype = 'advisory' and granted = $1 and database = (select oid from pg_database where datname = current_database())",
      [granted],
    )
  )[0]!.n;

describe('deps.db.lock across requests', () => {
  it('serializes two requests of a tenant with the same key, and blocks nobody else', async () => {
    const openFirst = gate('first');
    const first = hold(a, 'slots', 'slot:9', 'first');
    // the first request holds the lock once its transaction waits at the gate
    await expect.poll(() => advisoryLocks(true)).toBe(1);

    // another tenant, and another plugin of the same tenant, with the same key: not blocked
    expect((await hold(b, 'slots', 'slot:9')).status).toBe(200);
    expect((await hold(a, 'rooms', 'slot:9')).status).toBe(200);

    // the same tenant, plugin and key: waits until the first commits
    let secondDone = false;
    const second = hold(a, 'slots', 'slot:9').then((response) => ((secondDone = true), response));
    await expect.poll(() => advisoryLocks(false)).toBe(1);
    expect(secondDone).toBe(false);

    openFirst();
    const [firstAnswer, secondAnswer] = await Promise.all([first, second]);
    expect([firstAnswer.status, secondAnswer.status]).toEqual([200, 200]);
    expect(secondAnswer.body.data.locked_at).toBeGreaterThanOrEqual(firstAnswer.body.data.locked_at);
    expect(await advisoryLocks(false)).toBe(0);
  });
});
