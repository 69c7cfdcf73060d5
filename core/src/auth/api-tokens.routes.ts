import { listPage, limitErrors, NotFoundError, PageQuery, paginate, toJson, ValidationError, type Static, type Stored } from '@plinth/sdk';
import { returnedRow } from '../db/rows.js';
import { Type } from '@sinclair/typebox';
import { randomToken, sha256 } from '../crypto/secrets.js';
import { corePermissions } from '../rbac/permissions.js';
import { kernelRefs } from '../kernel-refs.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { assertMayGrant, checkPermissionList, PermissionList } from '../rbac/grants.js';
import { apiTokenPrefix } from './api-token-auth.js';
import { revokeTokens, type TokenRow } from './api-token-revocation.js';
import { Exact, NoContent, Nullable, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';

/** What the API shows of a token: never its secret or hash. */
const tokenFields = 'id, name, prefix, permissions, created_by, expires_at, last_used_at, created_at';

/** An API token as the API shows it. */
const ApiToken = Exact({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  permissions: Type.Array(Type.String()),
  created_by: Nullable(Uuid),
  expires_at: Nullable(Timestamp),
  last_used_at: Nullable(Timestamp),
  created_at: Timestamp,
});

/** An API token as {@link tokenFields} selects it, timestamps as the database returns them. */
type ApiTokenRow = Stored<Static<typeof ApiToken>, 'expires_at' | 'last_used_at' | 'created_at'>;

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Active = not revoked and not expired: what counts against the quota. */
const active = 'revoked_at is null and (expires_at is null or expires_at > now())';

export const listApiTokens = defineRoute({
  method: 'GET',
  path: '/api-tokens',
  summary: "The tenant's API tokens that are not revoked (expired ones included), newest first",
  tag: 'api-tokens',
  permission: corePermissions['api-tokens.view'],
  schema: { query: PageQuery, response: Type.Array(ApiToken) },
  errors: [],
  async handler({ query, db }) {
    const { items, total } = await listPage<ApiTokenRow>(
      db,
      { select: tokenFields, from: 'api_tokens', where: 'revoked_at is null', orderBy: 'created_at desc, id' },
      query,
    );
    return Reply.list(toJson(items), paginate(query, total));
  },
});

export const getApiToken = defineRoute({
  method: 'GET',
  path: '/api-tokens/:id',
  summary: 'One API token that is not revoked, without its secret',
  tag: 'api-tokens',
  permission: corePermissions['api-tokens.view'],
  schema: { params: IdParams, response: ApiToken },
  errors: [],
  async handler({ params, db }) {
    const token = await db.one<ApiTokenRow>(`select ${tokenFields} from api_tokens where id = $1 and revoked_at is null`, [params.id]);
    if (!token) throw new NotFoundError('API token not found');
    return toJson(token);
  },
});

export const createApiToken = defineRoute({
  method: 'POST',
  path: '/api-tokens',
  summary: 'Create an API token with a subset of your permissions; the secret is in this answer only',
  tag: 'api-tokens',
  permission: corePermissions['api-tokens.manage'],
  schema: {
    body: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
        permissions: PermissionList({ minItems: 1 }),
        expires_at: Type.Optional(Type.String({ format: 'date-time' })),
      },
      { additionalProperties: false },
    ),
    response: withStatus(Exact({ ...ApiToken.properties, token: Type.String({ description: 'The secret, shown once' }) }), 201),
  },
  deps: { permissionCatalogue: kernelRefs.permissionCatalogue, entitlements: kernelRefs.entitlements },
  errors: [limitErrors.limit_reached],
  async handler({ body, db, deps, tenant, permissions, actor, audit }) {
    checkPermissionList(body.permissions, deps.permissionCatalogue());
    assertMayGrant(permissions, body.permissions);
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new ValidationError({ expires_at: ['must be in the future'] });

    // `ensure` serialises token creation per tenant, so concurrent requests cannot overshoot the plan's limit.
    await deps.entitlements.ensure(
      db,
      tenant.id,
      'api_tokens',
      1,
      async () => (await returnedRow<{ count: number }>(db, `select count(*)::int as count from api_tokens where ${active}`)).count,
    );

    const random = randomToken(32);
    const secret = `${apiTokenPrefix}${random}`;
    const token = await returnedRow<ApiTokenRow>(
      db,
      `insert into api_tokens (tenant_id, name, token_hash, prefix, permissions, created_by, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${tokenFields}`,
      [tenant.id, body.name.trim(), sha256(secret), random.slice(0, 8), body.permissions, actor.userId ?? null, expiresAt],
    );
    await audit({
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: token.id,
      data: { name: body.name.trim(), permissions: body.permissions, expires_at: expiresAt },
    });
    return Reply.created({ ...toJson(token), token: secret });
  },
});

export const revokeApiToken = defineRoute({
  method: 'DELETE',
  path: '/api-tokens/:id',
  summary: 'Revoke an API token; it stops working on the next request',
  tag: 'api-tokens',
  permission: corePermissions['api-tokens.manage'],
  schema: { params: IdParams, response: NoContent },
  deps: { apiTokenAuth: kernelRefs.apiTokenAuth, tenantAccess: kernelRefs.tenantAccess },
  errors: [],
  async handler({ params, db, deps, tenant, audit }) {
    const token = await db.one<Pick<TokenRow, 'id' | 'token_hash'>>('select id, token_hash from api_tokens where id = $1 and revoked_at is null for update', [
      params.id,
    ]);
    if (!token) throw new NotFoundError('API token not found');
    await revokeTokens({ db, deps, tenantId: tenant.id, audit }, [token], 'revoked');
    return Reply.noContent();
  },
});

/** Routes for tenant API tokens. */
export const apiTokenRoutes: CoreRoute[] = [listApiTokens, getApiToken, createApiToken, revokeApiToken];
