import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AuditActor } from '../audit/audit.js';
import { recordHostAudit } from '../audit/audit.js';
import { runAsSystem, type ScopedDb } from '../db/scoped-db.js';
import { coreErrors } from '../http/core-errors.js';
import type { Static } from '@sinclair/typebox';
import type { LimitedAttempt } from './login-limits.js';
import type { PasskeySecondFactor } from './passkeys-schemas.js';
import type { KernelServices } from '../kernel.js';

/** How long a WebAuthn challenge may be answered. */
export const challengeTtlSeconds = 5 * 60;

/** What a challenge was issued for: adding a passkey, signing in with one, or confirming a password sign-in (2FA). */
export type ChallengePurpose = 'register' | 'sign_in' | 'second_factor';

/** The relying party: the host name of the public URL (a passkey works on that name only) and its origin. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** The relying party of a host whose public URL is `publicUrl`. */
export function relyingParty(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name: 'Plinth' };
}

/**
 * Why a passkey was refused, as the audit entry (`auth.passkey.refused`, `data.reason`) records it:
 * `challenge_unknown`, `challenge_used`, `challenge_expired`, `challenge_other_user`, `challenge_purpose`,
 * `unknown_credential`, `other_user`, `counter`, `origin`, `rp_id`, `user_verification`, `signature`,
 * `duplicate`, `account_disabled`, `malformed`.
 */
export class PasskeyRefusal extends Error {
  constructor(
    readonly reason: string,
    readonly userId: string | null = null,
  ) {
    super(`passkey refused: ${reason}`);
    this.name = 'PasskeyRefusal';
  }
}

/** The messages a refusal answers with (English; the catalogue in error-messages.ts translates them). */
const refusalMessages: Record<string, string> = {
  challenge_unknown: 'The passkey request expired or was already used; try again',
  challenge_used: 'The passkey request expired or was already used; try again',
  challenge_expired: 'The passkey request expired or was already used; try again',
  unknown_credential: 'This passkey is not registered here',
  other_user: 'This passkey belongs to another account',
  duplicate: 'This passkey is already registered',
};

/**
 * Records a refusal in the host audit log, in its own transaction (the request's rolls back with the error), unless
 * it was `audited` already (a counted attempt's `failed`), and answers the error to throw: `400 passkey_invalid`.
 */
export async function refusePasskey(
  services: Pick<KernelServices, 'database'>,
  actor: AuditActor,
  refusal: PasskeyRefusal,
  during: ChallengePurpose,
  options: { audited?: boolean } = {},
): Promise<Error> {
  if (!options.audited)
    await runAsSystem(services.database, (db) =>
      recordHostAudit(
        db,
        { ...actor, userId: actor.userId ?? refusal.userId },
        {
          action: 'auth.passkey.refused',
          targetType: 'user',
          ...(refusal.userId ? { targetId: refusal.userId } : {}),
          data: { reason: refusal.reason, during },
        },
      ),
    );
  return coreErrors.passkey_invalid(refusalMessages[refusal.reason] ?? 'The passkey could not be verified; try again');
}

/** A stored challenge, new: its id and the base64url value the authenticator signs. */
async function storeChallenge(db: ScopedDb, purpose: ChallengePurpose, userId: string | null, challenge: string): Promise<string> {
  // Old challenges are dropped as new ones are made: the table holds the last hour's at most.
  await db.query("delete from webauthn_challenges where expires_at < now() - interval '1 hour'");
  const [row] = await db.query<{ id: string }>(
    'insert into webauthn_challenges (challenge, user_id, purpose, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4)) returning id',
    [challenge, userId, purpose, challengeTtlSeconds],
  );
  return row!.id;
}

interface ChallengeRow {
  id: string;
  challenge: string;
  user_id: string | null;
  purpose: ChallengePurpose;
}

/**
 * Spends a challenge, in its own transaction: it is used up whatever the verification's outcome, so an answer to it
 * cannot be tried twice. Only a challenge of `purpose` (and of `userId`, for registration) is spent; anything else
 * is a refusal naming why.
 */
async function spendChallenge(
  services: Pick<KernelServices, 'database'>,
  key: { id: string } | { challenge: string },
  purpose: ChallengePurpose,
  userId: string | null,
): Promise<ChallengeRow> {
  const [column, value] = 'id' in key ? ['id', key.id] : ['challenge', key.challenge];
  return runAsSystem(services.database, async (db) => {
    const spent = await db.one<ChallengeRow>(
      `update webauthn_challenges set used_at = now()
        where ${column} = $1 and purpose = $2 and used_at is null and expires_at > now() and ($3::uuid is null or user_id = $3)
        returning id, challenge, user_id, purpose`,
      [value, purpose, userId],
    );
    if (spent) return spent;
    const found = await db.one<{ purpose: string; user_id: string | null; used: boolean; expired: boolean }>(
      `select purpose, user_id, used_at is not null as used, expires_at <= now() as expired from webauthn_challenges where ${column} = $1`,
      [value],
    );
    if (!found) throw new PasskeyRefusal('challenge_unknown', userId);
    if (found.purpose !== purpose) throw new PasskeyRefusal('challenge_purpose', userId);
    if (userId && found.user_id !== userId) throw new PasskeyRefusal('challenge_other_user', userId);
    throw new PasskeyRefusal(found.used ? 'challenge_used' : 'challenge_expired', userId);
  });
}

/** The challenge a response answers, from its client data (anything unreadable is `malformed`). */
function challengeOf(clientDataJSON: string, userId: string | null): string {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof data.challenge === 'string' && data.challenge.length > 0 && data.challenge.length <= 200) return data.challenge;
  } catch {
    // falls through to the refusal
  }
  throw new PasskeyRefusal('malformed', userId);
}

/** What @simplewebauthn/server's error says went wrong, as a refusal reason. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/origin/i.test(message)) return 'origin';
  if (/RP ?ID/i.test(message)) return 'rp_id';
  if (/counter/i.test(message)) return 'counter';
  if (/user verification|not present/i.test(message)) return 'user_verification';
  return 'malformed';
}

/** The WebAuthn user handle of a Plinth user: their id's bytes (never their email). */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

/** Registration options for a signed-in user: their passkeys are excluded, a discoverable credential with user verification is asked for. */
export async function registrationOptions(
  db: ScopedDb,
  rp: RelyingParty,
  user: { id: string; email: string; name: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await db.query<{ credential_id: string; transports: string[] }>('select credential_id, transports from passkeys where user_id = $1', [
    user.id,
  ]);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: userHandleOf(user.id),
    challenge: new Uint8Array(randomBytes(32)),
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credential_id, transports: passkey.transports as AuthenticatorTransport[] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    timeout: challengeTtlSeconds * 1000,
  });
  await storeChallenge(db, 'register', user.id, options.challenge);
  return options;
}

/** A passkey as stored, new. */
export interface NewPasskey {
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
}

/** Verifies a registration response of `userId` against the challenge it answers (spent here). Throws {@link PasskeyRefusal}. */
export async function verifyRegistration(
  services: Pick<KernelServices, 'database'>,
  rp: RelyingParty,
  userId: string,
  response: RegistrationResponseJSON,
): Promise<NewPasskey> {
  const challenge = await spendChallenge(services, { challenge: challengeOf(response.response.clientDataJSON, userId) }, 'register', userId);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw new PasskeyRefusal(reasonOf(error), userId);
  }
  if (!verified.verified) throw new PasskeyRefusal('signature', userId);
  const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: (credential.transports ?? response.response.transports ?? []).filter((transport) => typeof transport === 'string').slice(0, 10),
    deviceType: credentialDeviceType,
    backedUp: credentialBackedUp,
  };
}

/**
 * Options to sign in with a passkey (`sign_in`, user verification required) or to confirm a password sign-in
 * (`second_factor`): discoverable credentials, so `allowCredentials` is empty and the options say nothing of any
 * account.
 */
export async function authenticationOptions(
  db: ScopedDb,
  rp: RelyingParty,
  purpose: 'sign_in' | 'second_factor',
): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: new Uint8Array(randomBytes(32)),
    userVerification: purpose === 'sign_in' ? 'required' : 'preferred',
    timeout: challengeTtlSeconds * 1000,
  });
  return { challengeId: await storeChallenge(db, purpose, null, options.challenge), options };
}

/**
 * Verifies an assertion against challenge `challengeId` (spent here, whatever the outcome): the credential must be
 * registered (to `expectedUserId`, when given: the second factor of a password sign-in), its signature good, its
 * counter grown (when either counter is not zero), the origin and RP ID ours, and the user verified for a
 * passwordless sign-in. Updates the counter and last use in `db` (the request's transaction, which locks the
 * passkey's row). Throws {@link PasskeyRefusal}.
 */
export async function verifyAssertion(
  db: ScopedDb,
  services: Pick<KernelServices, 'database'>,
  rp: RelyingParty,
  input: { challengeId: string; response: AuthenticationResponseJSON; purpose: 'sign_in' | 'second_factor'; expectedUserId?: string },
): Promise<{ userId: string; passkeyId: string }> {
  const knownUser = input.expectedUserId ?? null;
  const challenge = await spendChallenge(services, { id: input.challengeId }, input.purpose, null).catch((error: unknown) => {
    throw error instanceof PasskeyRefusal ? new PasskeyRefusal(error.reason, knownUser) : error;
  });
  const passkey = await db.one<{ id: string; user_id: string; credential_id: string; public_key: Buffer; counter: number | string; transports: string[] }>(
    'select id, user_id, credential_id, public_key, counter, transports from passkeys where credential_id = $1 for update',
    [input.response.id],
  );
  if (!passkey) throw new PasskeyRefusal('unknown_credential', knownUser);
  if (input.expectedUserId && passkey.user_id !== input.expectedUserId) throw new PasskeyRefusal('other_user', knownUser);
  const handle = input.response.response.userHandle;
  if (handle && handle !== Buffer.from(userHandleOf(passkey.user_id)).toString('base64url')) throw new PasskeyRefusal('other_user', passkey.user_id);
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(passkey.public_key),
        counter: Number(passkey.counter),
        transports: passkey.transports as AuthenticatorTransport[],
      },
      requireUserVerification: input.purpose === 'sign_in',
    });
  } catch (error) {
    throw new PasskeyRefusal(reasonOf(error), passkey.user_id);
  }
  if (!verified.verified) throw new PasskeyRefusal('signature', passkey.user_id);
  const info = verified.authenticationInfo;
  await db.query('update passkeys set counter = $2, backed_up = $3, last_used_at = now() where id = $1', [
    passkey.id,
    info.newCounter,
    info.credentialBackedUp,
  ]);
  return { userId: passkey.user_id, passkeyId: passkey.id };
}

/** Runs a passkey check; a refusal is audited (through `attempt` when the check is rate-limited) and answered `400 passkey_invalid`. */
export async function checked<T>(
  input: { deps: Pick<KernelServices, 'database'>; actor: AuditActor },
  during: ChallengePurpose,
  check: () => Promise<T>,
  attempt?: LimitedAttempt,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof PasskeyRefusal)) throw error;
    if (!attempt) throw await refusePasskey(input.deps, input.actor, error, during);
    await attempt.failed(error.userId, 'auth.passkey.refused', { reason: error.reason, during });
    throw await refusePasskey(input.deps, input.actor, error, during, { audited: true });
  }
}

/**
 * The second factor of a password sign-in by passkey (POST /auth/login `passkey`): the assertion must answer a
 * `second_factor` challenge with a passkey of `userId`. A refusal counts as a failed sign-in and is audited.
 */
export async function confirmWithPasskey(
  input: { db: ScopedDb; deps: Pick<KernelServices, 'database' | 'publicUrl'>; actor: AuditActor },
  userId: string,
  passkey: Static<typeof PasskeySecondFactor>,
  attempt: LimitedAttempt,
): Promise<void> {
  await checked(
    input,
    'second_factor',
    () =>
      verifyAssertion(input.db, input.deps, relyingParty(input.deps.publicUrl()), {
        challengeId: passkey.challenge_id,
        response: passkey.response as unknown as AuthenticationResponseJSON,
        purpose: 'second_factor',
        expectedUserId: userId,
      }),
    attempt,
  );
}
