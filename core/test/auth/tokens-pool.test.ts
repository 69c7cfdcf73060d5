import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createAccessTokens } from '../../src/auth/access-tokens.js';
import { createSecretBox } from '../../src/crypto/secrets.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
import { systemClock } from '../../src/util/clock.js';

let testDatabase: TestDatabase;
let database: Database;
beforeAll(async () => {
  testDatabase = await createTestDatabase();
  // One connection: the request's transaction holds it, as every connection of a busy pool is held by a request.
  database = createDatabase({ url: testDatabase.url, poolMax: 1 });
});
afterAll(async () => {
  await database.destroy();
  await testDatabase.drop();
});

it('signs inside a transaction holding the last pooled connection, even when its copy of the keys is due a re-read', { timeout: 20_000 }, async () => {
  const tokens = createAccessTokens({
    database,
    secretBox: createSecretBox('pool-test-encryption-key-0123456789abcdef'),
    clock: systemClock,
    logger: createLogger('silent'),
    algorithm: 'EdDSA',
    publicUrl: () => 'http://plinth.test',
  });
  await tokens.prepare();
  const [published] = await tokens.publishedKeys();
  // Past the 30 s after which a node re-reads the keys: that re-read must not wait for a connection the signer holds.
  const later = Date.now() + 31_000;
  const clock = vi.spyOn(Date, 'now').mockReturnValue(later);
  try {
    const token = await runAsSystem(database, async (db) => {
      await db.query('update signing_keys set created_at = created_at where false');
      return tokens.sign({ userId: randomUUID(), sessionId: randomUUID(), tokenVersion: 0 });
    });
    expect(decodeProtectedHeader(token).kid).toBe(published!.kid);
  } finally {
    clock.mockRestore();
  }
});
