import { createTestKernel, expectShardReady, type TestKernel } from '@plinth/core/testing';
import { afterAll, beforeAll, it } from 'vitest';
import hello from '../src/plugin.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [hello] });
});
afterAll(() => t?.close());

// A sharded host distributes every tenant table by tenant_id: a key without it (a `unique('code')`, a foreign key
// to another table's `id` written by hand) would fail here, listing the fix.
it('keeps its tables shard-ready (distributable by tenant_id)', () => expectShardReady(t));
