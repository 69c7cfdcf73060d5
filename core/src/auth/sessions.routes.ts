import { commonErrors, ConflictError, NotFoundError, Reply, Timestamp, toJson, ValidationError } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import Bowser from 'bowser';
import { Exact, NoContent, Nullable } from '../http/response-schemas.js';
import { defineRoute, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { beginAttempt } from './login-limits.js';
import { hashPassword, passwordProblems, verifyPassword } from './passwords.js';
import { endOtherSessions, endSessionOf, listSessions, signInMethods, type SessionRow } from './sessions.js';

const Device = Exact(
  {
    browser: Nullable(Type.String({ description: 'The browser (or app) named by the user agent, e.g. `Chrome`' })),
    os: Nullable(Type.String({ description: 'e.g. `Linux`, `iOS`' })),
    type: Nullable(Type.String({ description: '`desktop`, `mobile`, `tablet`, `tv`… as the user agent says' })),
  },
  { description: 'Read from the user agent of the session’s latest sign-in or refresh; null where it says nothing' },
);

const Session = Exact({
  id: Type.String({ format: 'uuid', description: 'The session (a sign-in: its refresh tokens form one family)' }),
  current: Type.Boolean({ description: 'The session of the access token that asked' }),
  device: Device,
  ip: Nullable(Type.String({ description: 'Where the latest sign-in or refresh came from' })),
  method: Type.Union(
    signInMethods.map((method) => Type.Literal(method)),
    { description: 'How the session was started' },
  ),
  created_at: Timestamp,
  last_used_at: Timestamp,
});

/** What a user agent says of the device, as `GET /me/sessions` shows it. */
export function deviceOf(userAgent: string | null): { browser: string | null; os: string | null; type: string | null } {
  if (!userAgent) return { browser: null, os: null, type: null };
  const parsed = Bowser.parse(userAgent);
  return { browser: parsed.browser.name || null, os: parsed.os.name || null, type: parsed.platform.type || null };
}

function sessionView(row: SessionRow, currentId: string) {
  const { user_agent: userAgent, ...session } = row;
  return toJson({ ...session, current: row.id === currentId, device: deviceOf(userAgent) });
}

export const listMySessions = defineRoute({
  method: 'GET',
  path: '/me/sessions',
  summary: 'Your live sessions (sign-ins not ended or expired), the most recently used first; `current` marks the one asking',
  tag: 'auth',
  user: true,
  schema: { response: Type.Array(Session) },
  errors: [],
  async handler({ db, principal }) {
    const rows = await listSessions(db, principal.userId);
    return rows.map((row) => sessionView(row, principal.sessionId));
  },
});

export const endMySession = defineRoute({
  method: 'DELETE',
  path: '/me/sessions/:id',
  summary: 'Sign out one of your sessions (the current one too): its refresh token stops working at once, its access tokens on their next request',
  tag: 'auth',
  user: true,
  schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: NoContent },
  deps: { identity: kernelRefs.identity },
  errors: [commonErrors.not_found],
  async handler({ db, deps, principal, params, audit }) {
    if (!(await endSessionOf(db, deps, principal.userId, params.id))) throw new NotFoundError('Session not found');
    await audit({ action: 'auth.session.ended', targetType: 'session', targetId: params.id, data: { current: params.id === principal.sessionId } });
    return Reply.noContent();
  },
});

export const endMyOtherSessions = defineRoute({
  method: 'DELETE',
  path: '/me/sessions',
  summary: 'Sign out every session but the current one (`others=true` is required)',
  tag: 'auth',
  user: true,
  schema: {
    query: Type.Object({ others: Type.Literal(true, { description: 'Must be `true`: the current session stays signed in' }) }, { additionalProperties: false }),
    response: NoContent,
  },
  deps: { identity: kernelRefs.identity },
  errors: [],
  async handler({ db, deps, principal, audit }) {
    const ended = await endOtherSessions(db, deps, principal.userId, principal.sessionId);
    await audit({ action: 'auth.session.ended_others', targetType: 'user', targetId: principal.userId, data: { sessions: ended } });
    return Reply.noContent();
  },
});

export const changePassword = defineRoute({
  method: 'POST',
  path: '/me/password',
  summary:
    'Change your password with the current one; every other session is signed out (this one stays). A wrong current password is 422 on `current_password`; 429 past 10 failures in 15 minutes',
  tag: 'auth',
  user: true,
  schema: {
    body: Type.Object(
      { current_password: Type.String({ minLength: 1, maxLength: 1024 }), new_password: Type.String({ minLength: 1, maxLength: 1024 }) },
      { additionalProperties: false },
    ),
    response: NoContent,
  },
  deps: { database: kernelRefs.database, identity: kernelRefs.identity, rateLimiter: kernelRefs.rateLimiter },
  errors: [commonErrors.not_found, commonErrors.conflict, commonErrors.rate_limited],
  async handler(input) {
    const { body, db, deps, principal, audit } = input;
    // Read, checked and hashed before the request's transaction opens: hashes wait their turn (passwords.ts), and a
    // transaction open meanwhile would hold a connection, so a burst of changes would starve the pool.
    const user = await db.one<{ id: string; email: string; password_hash: string | null }>('select id, email, password_hash from users where id = $1', [
      principal.userId,
    ]);
    if (!user) throw new NotFoundError('User not found');
    const attempt = await beginAttempt(input, [`password-change:user:${user.id}`]);
    try {
      if (!(await verifyPassword(user.password_hash, body.current_password))) {
        await attempt.failed(user.id, 'auth.password.change_failed', {});
        throw new ValidationError({ current_password: ['is not your password'] });
      }
    } finally {
      await attempt.end();
    }
    const problems = passwordProblems(body.new_password, { email: user.email });
    if (problems.length > 0) throw new ValidationError({ new_password: problems });
    const passwordHash = await hashPassword(body.new_password);
    // Only over the password just checked: one changed meanwhile (another session) is not replaced unseen.
    const changed = await db.query(
      'update users set password_hash = $2, updated_at = now() where id = $1 and password_hash is not distinct from $3 returning id',
      [user.id, passwordHash, user.password_hash],
    );
    if (changed.length === 0) throw new ConflictError('Your password was changed meanwhile; enter the current one again');
    const ended = await endOtherSessions(db, deps, user.id, principal.sessionId);
    await audit({ action: 'auth.password.changed', targetType: 'user', targetId: user.id, data: { sessions_ended: ended } });
    return Reply.noContent();
  },
});

/** Sessions (list, sign out one or all others) and changing the password. */
export const sessionRoutes: CoreRoute[] = [listMySessions, endMySession, endMyOtherSessions, changePassword];
