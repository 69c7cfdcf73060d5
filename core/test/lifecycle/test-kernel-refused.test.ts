import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as testDatabase from '../../src/testing/test-database.js';
import { serverEnv, withServerClient, type TestDatabase } from '../../src/testing/test-database.js';

// The scratch databases `createTestKernel` makes for itself, recorded to check that a refused boot drops its own.
const made = vi.hoisted(() => [] as TestDatabase[]);
vi.mock('../../src/testing/test-database.js', async (importOriginal) => {
  const real = await importOriginal<typeof testDatabase>();
  return { ...real, createTestDatabase: async () => made[made.push(await real.createTestDatabase()) - 1]! };
});
const { createTestKernel } = await import('../../src/testing/index.js');

const exists = (database: TestDatabase) =>
  withServerClient(
    process.env[serverEnv]!,
    async (client) => (await client.query('select 1 from pg_database where datname = $1', [database.name])).rowCount === 1,
  );

afterAll(async () => {
  for (const database of made) await database.drop();
});

describe('a test kernel whose boot is refused', () => {
  it('drops the scratch database it made, whether the configuration or the start refuses it', async () => {
    // Refused while the kernel is built: billing with Stripe and no secret key.
    await expect(createTestKernel({ env: { PLINTH_BILLING_PROVIDER: 'stripe' } })).rejects.toThrow(/PLINTH_BILLING_STRIPE_SECRET_KEY/);
    // Refused while it starts.
    await expect(
      createTestKernel({
        beforeStart: () => {
          throw new Error('refused before the start');
        },
      }),
    ).rejects.toThrow('refused before the start');
    expect(made).toHaveLength(2);
    for (const database of made) expect(await exists(database)).toBe(false);
  });

  it('keeps a database it was given', async () => {
    const given = (await import('../../src/testing/index.js')).createTestDatabase;
    const database = await given();
    await expect(createTestKernel({ database, env: { PLINTH_BILLING_PROVIDER: 'stripe' } })).rejects.toThrow(/PLINTH_BILLING_STRIPE_SECRET_KEY/);
    expect(await exists(database)).toBe(true);
  });
});
