import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokenPrefix } from '../../src/auth/api-token-auth.js';
import { sha256 } from '../../src/crypto/secrets.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { asSystem } from './fixtures.js';
import { served } from './tenant-resources.js';

let t: TestKernel;

/** A tenant with strings that only its own responses may contain. */
interface Party {
  owner: TestUser;
  id: string;
  domain: string;
  callers: Record<string, string>[];
}
let parties: [Party, Party];

/** Reads that return tenant data, each with the string its own tenant's answer must contain. */
const reads = (
  [
    { path: '/tenant', mark: (party) => party.id },
    { path: '/tenant/domains', mark: (party) => party.domain },
    { path: '/members', mark: (party) => party.owner.id },
    { path: '/audit-log', mark: (party) => party.owner.id },
  ] satisfies { path: string; mark: (party: Party) => string }[]
).filter((read) => served('GET', read.path));

async function party(): Promise<Party> {
  const owner = await signUp(t, { tenant: true });
  const id = owner.tenant!.id;
  const domain = `${owner.tenant!.slug}.example.com`;
  const secret = `${apiTokenPrefix}${randomUUID().replaceAll('-', '')}`;
  await asSystem(t, async (db) => {
    await db.query("insert into tenant_domains (tenant_id, domain, verification_token) values ($1, $2, 't')", [id, domain]);
    await db.query("insert into audit_log (tenant_id, actor_user_id, action) values ($1, $2, 'isolation.seeded')", [id, owner.id]);
    await db.query("insert into api_tokens (tenant_id, name, token_hash, prefix, permissions) values ($1, 'reader', $2, 'x', '{*}')", [id, sha256(secret)]);
  });
  return { owner, id, domain, callers: [owner.headers, { authorization: `Bearer ${secret}`, 'x-tenant': owner.tenant!.slug }] };
}

beforeAll(async () => {
  t = await createTestKernel({ env: { PLINTH_DB_POOL_MAX: '2' } });
  parties = [await party(), await party()];
});
afterAll(() => t.close());

describe('500 interleaved requests of two tenants on a 2-connection pool', () => {
  it('never cross: every answer holds its own tenant’s data and none of the other’s', async () => {
    expect(t.kernel.services.database.poolStats().max).toBe(2);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    const requests = Array.from({ length: 500 }, (_, n) => {
      const self = parties[n % 2]!;
      const other = parties[(n + 1) % 2]!;
      const read = reads[Math.floor(n / 2) % reads.length]!;
      const headers = self.callers[Math.floor(n / (2 * reads.length)) % 2]!;
      return { self, other, read, headers };
    });
    let peakUsed = 0;
    const sampler = setInterval(() => (peakUsed = Math.max(peakUsed, t.kernel.services.database.poolStats().used)), 1);
    const responses = await Promise.all(requests.map(({ read, headers }) => t.request('GET', `/api/v1${read.path}`, { headers })));
    clearInterval(sampler);

    const crossed: string[] = [];
    responses.forEach((response, n) => {
      const { self, other, read } = requests[n]!;
      const text = JSON.stringify(response.body);
      if (response.status !== 200) crossed.push(`#${n} ${read.path}: ${response.status} ${text}`);
      else if (!text.includes(read.mark(self))) crossed.push(`#${n} ${read.path}: own data missing`);
      for (const foreign of [other.id, other.owner.id, other.owner.email, other.domain]) {
        if (text.includes(foreign)) crossed.push(`#${n} ${read.path}: holds ${foreign} of the other tenant`);
      }
    });
    expect(crossed).toEqual([]);
    expect(peakUsed).toBeLessThanOrEqual(2);
  });
});
