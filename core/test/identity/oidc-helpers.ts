import { expect } from 'vitest';
import type { OidcPeer } from '../../src/testing/oidc-peer.js';
import type { TestKernel, TestUser } from '../../src/testing/index.js';

/** What a browser ends with after a provider sign-in: signed in (the complete call's data), or refused with a reason. */
export type SignInOutcome =
  | { signedIn: { user: { id: string; email: string; email_verified: boolean }; tokens: { access_token: string; refresh_token: string }; return_to: string } }
  | { refused: string; location: string };

/** `GET …/start` as a browser: the provider's authorization URL (or the login page, refused). */
export async function startAt(t: TestKernel, slug: string, returnTo = '/'): Promise<string> {
  const start = await fetch(`${t.url}/api/v1/auth/oidc/${slug}/start?return_to=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  expect(start.headers.get('cache-control')).toBe('no-store');
  return start.headers.get('location')!;
}

/** Follows the provider's redirect back to the kernel's callback; returns where the kernel sends the browser. */
export async function callBack(callbackUrl: string): Promise<string> {
  const back = await fetch(callbackUrl, { redirect: 'manual' });
  expect(back.status).toBe(302);
  return back.headers.get('location')!;
}

/** Ends a flow: the code after `#code=` traded for tokens, or the refusal's reason. */
export async function complete(t: TestKernel, location: string): Promise<SignInOutcome> {
  const code = /\/sign-in\/complete#code=([^&]+)$/.exec(location)?.[1];
  if (!code) return { refused: new URL(location).searchParams.get('reason') ?? new URL(location).searchParams.get('link_error') ?? '?', location };
  const completed = await t.request('POST', '/api/v1/auth/oidc/complete', { body: { code } });
  expect(completed.status).toBe(200);
  return { signedIn: completed.body.data };
}

/** A whole sign-in through `slug` at the peer as `sub`; `before` runs once the provider has answered (to break the token). */
export async function signInWith(t: TestKernel, peer: OidcPeer, slug: string, sub: string, before?: () => void, returnTo = '/'): Promise<SignInOutcome> {
  const authorization = await startAt(t, slug, returnTo);
  if (!authorization.startsWith(peer.issuer)) return { refused: new URL(authorization).searchParams.get('reason')!, location: authorization };
  const callback = await peer.authorize(authorization, { sub });
  before?.();
  return complete(t, await callBack(callback));
}

export function signedIn(outcome: SignInOutcome) {
  if (!('signedIn' in outcome)) throw new Error(`refused: ${outcome.refused}`);
  return outcome.signedIn;
}

/** Rows that a refused flow must not have added. */
export async function identityCounts(t: TestKernel): Promise<{ users: number; identities: number }> {
  const [row] = await t.sql<{ users: number; identities: number }>(
    'select (select count(*)::int from users) as users, (select count(*)::int from user_identities) as identities',
  );
  return row!;
}

/** The host audit entries of refused OpenID Connect flows, newest first. */
export async function refusals(t: TestKernel): Promise<{ reason: string; target_id: string | null; data: Record<string, unknown> }[]> {
  const rows = await t.sql<{ data: Record<string, unknown>; target_id: string | null }>(
    "select data, target_id from host_audit_log where action = 'auth.oidc.refused' order by created_at desc, id desc",
  );
  return rows.map((row) => ({ reason: String(row.data.reason), target_id: row.target_id, data: row.data }));
}

/** Adds a host provider through the admin API as `admin`. */
export async function addProvider(t: TestKernel, admin: TestUser, body: Record<string, unknown>): Promise<{ id: string; slug: string; redirect_uri: string }> {
  const created = await t.request('POST', '/api/v1/admin/identity-providers', { headers: admin.headers, body });
  if (created.status !== 201) throw new Error(`adding the provider failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.data;
}
