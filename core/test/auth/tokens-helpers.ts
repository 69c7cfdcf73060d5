import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeProtectedHeader, importPKCS8, SignJWT, type CryptoKey } from 'jose';
import type { TestKernel } from '../../src/testing/index.js';
import { systemQuery } from './auth-helpers.js';

/** The active signing key of the kernel's database, its private part opened as the kernel would (a stolen key, for forgeries). */
export async function activeSigningKey(t: TestKernel): Promise<{ kid: string; alg: string; privateKey: CryptoKey }> {
  const [row] = await systemQuery<{ kid: string; alg: string; private_key_enc: string }>(
    t,
    'select kid, alg, private_key_enc from signing_keys where retired_at is null',
  );
  const pem = t.kernel.services.secretBox.open(row!.private_key_enc);
  return { kid: row!.kid, alg: row!.alg, privateKey: (await importPKCS8(pem, row!.alg)) as CryptoKey };
}

/** The `kid` of a token's header. */
export const kidOf = (token: string): string => decodeProtectedHeader(token).kid!;

/** The `alg` of a token's header. */
export const algOf = (token: string): string => decodeProtectedHeader(token).alg!;

export interface ForgeOptions {
  key: { kid?: string; alg: string; privateKey: CryptoKey | Uint8Array };
  sub: string;
  sid: string;
  ver?: number;
  iss: string;
  aud?: string;
  typ?: string;
  /** Seconds since the epoch. */
  iat?: number;
  exp?: number;
  /** Leave `kid` out of the header. */
  noKid?: boolean;
}

/** An access token made outside the kernel, with the claims access-tokens.ts issues unless told otherwise. */
export async function forgeToken(options: ForgeOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: options.sid, ver: options.ver ?? 1, typ: options.typ ?? 'access' })
    .setProtectedHeader({ alg: options.key.alg, typ: 'JWT', ...(options.noKid || !options.key.kid ? {} : { kid: options.key.kid }) })
    .setSubject(options.sub)
    .setIssuer(options.iss)
    .setAudience(options.aud ?? 'plinth-api')
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 900)
    .sign(options.key.privateKey);
}

const run = promisify(execFile);
const verifier = fileURLToPath(new URL('./fixtures/verify-with-jwks.mjs', import.meta.url));

/** Verifies `tokens` in a separate Node process that knows only the kernel's JWKS URL, the issuer and `jose`: one result each. */
export async function verifyElsewhere(kernel: TestKernel, issuer: string, tokens: string[]): Promise<Record<string, unknown>[]> {
  const { stdout } = await run(process.execPath, [verifier, `${kernel.url}/.well-known/jwks.json`, issuer, ...tokens], { timeout: 20_000 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
