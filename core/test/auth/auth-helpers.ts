import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import type { TestKernel, TestUser } from '../../src/testing/index.js';

let lastOctet = 0;

/** Headers that make the next requests come from an address no other test uses (the kernels trust `X-Forwarded-For`). */
export function freshIp(): Record<string, string> {
  lastOctet += 1;
  return { 'x-forwarded-for': `10.${process.pid % 250}.${Math.floor(lastOctet / 250)}.${lastOctet % 250}` };
}

/** Kernel env for these tests: the client IP comes from `X-Forwarded-For`, so tests do not share per-IP limits. */
export const trustProxyEnv = { PLINTH_TRUST_PROXY: 'true' };

/** An authenticator app's code for `secret`, `stepOffset` 30-second steps from now (independent of core's TOTP code). */
export function codeFor(secret: string, stepOffset = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}

/** Six digits that are not a valid code for `secret` in any step the server could accept. */
export function wrongCodeFor(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => codeFor(secret, offset)));
  for (let candidate = 123456; ; candidate += 1) if (!near.has(String(candidate))) return String(candidate);
}

/** Turns 2FA on for `user` through the API; returns the secret, the recovery codes and the code that enabled it. */
export async function turnOnTwoFactor(t: TestKernel, user: TestUser): Promise<{ secret: string; recoveryCodes: string[]; enableCode: string }> {
  const setup = await t.request('POST', '/api/v1/auth/2fa/setup', { headers: asSignedIn(user) });
  expect(setup.status).toBe(200);
  const secret = setup.body.data.secret as string;
  const enableCode = codeFor(secret);
  const enabled = await t.request('POST', '/api/v1/auth/2fa/enable', { headers: asSignedIn(user), body: { otp: enableCode } });
  expect(enabled.status).toBe(200);
  return { secret, recoveryCodes: enabled.body.data.recovery_codes, enableCode };
}

/** Just the bearer token (no tenant) of a user. */
export function asSignedIn(user: Pick<TestUser, 'accessToken'>): Record<string, string> {
  return { authorization: `Bearer ${user.accessToken}` };
}

/** Rows of the host audit log with `action` about `userId`. */
export function hostAuditOf(t: TestKernel, action: string, userId: string): Promise<Record<string, unknown>[]> {
  return runAsSystem(t.kernel.services.database, (db) =>
    db.query('select * from host_audit_log where action = $1 and target_id = $2 order by created_at', [action, userId]),
  );
}

/** Runs SQL on the system path of the test kernel's database. */
export function systemQuery<Row = Record<string, unknown>>(t: TestKernel, sql: string, values: unknown[] = []): Promise<Row[]> {
  return runAsSystem(t.kernel.services.database, (db) => db.query<Row>(sql, values));
}
