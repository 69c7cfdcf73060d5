import { commonErrors, ConflictError, isUniqueViolation, NotFoundError, toJson, ValidationError, type HttpClient } from '@plinth/sdk';
import { Type } from '@sinclair/typebox';
import { Exact, NoContent, Timestamp, Uuid, withStatus } from '../http/response-schemas.js';
import { defineRoute, Reply, type CoreRoute } from '../http/route.js';
import { kernelRefs } from '../kernel-refs.js';
import { providerKinds, providerPresets, providerSlugPattern, type ProviderKind, type ProviderRow } from './identity-providers.js';
import { callbackUrl, forgetConfigurations } from './oidc-flows.js';
import { issuerProblem } from './tenant-sso-issuer.js';

// Host sign-in providers (super admins, system path). The client secret is write-only: sealed by the secret box, never
// returned (`has_secret`). Every change is in the host audit log.

const Kind = Type.Union(providerKinds.map((kind) => Type.Literal(kind)));

const IdentityProvider = Exact({
  id: Uuid,
  slug: Type.String(),
  kind: Kind,
  name: Type.String(),
  issuer: Type.String({ description: 'OIDC: the issuer (discovery); github: the site (https://github.com or a GitHub Enterprise Server)' }),
  client_id: Type.String(),
  has_secret: Type.Boolean({ description: 'A client secret is stored (it is never shown again)' }),
  scopes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  redirect_uri: Type.String({ description: 'The redirect URI to register at the provider' }),
  linked_users: Type.Integer({ description: 'Users with an account at this provider linked' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const Slug = Type.String({ pattern: providerSlugPattern, description: 'Lower-case, 2–31 characters; `sso-…` is reserved' });
const Name = Type.String({ minLength: 1, maxLength: 80 });
const Issuer = Type.String({ minLength: 1, maxLength: 300 });
const ClientId = Type.String({ minLength: 1, maxLength: 300 });
const Secret = Type.String({ minLength: 1, maxLength: 1000 });
const Scopes = Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,100}$' }), { maxItems: 20, uniqueItems: true });

const IdParams = Type.Object({ id: Uuid });

type Row = ProviderRow & { linked_users: number };

const columns = `p.*, (select count(*)::int from user_identities i where i.provider_id = p.id) as linked_users`;

function present(row: Row, publicUrl: string) {
  return toJson({
    id: row.id,
    slug: row.slug,
    kind: row.kind,
    name: row.name,
    issuer: row.issuer,
    client_id: row.client_id,
    has_secret: row.client_secret_enc !== null,
    scopes: row.scopes,
    enabled: row.enabled,
    redirect_uri: callbackUrl(publicUrl, row.slug),
    linked_users: row.linked_users,
    created_at: row.created_at,
    updated_at: row.updated_at,
  });
}

/** Why the provider's issuer (or GitHub site) cannot be used, or undefined. */
async function issuerFieldProblem(http: HttpClient, kind: ProviderKind, issuer: string, clientId: string): Promise<string | undefined> {
  if (kind !== 'github') return issuerProblem(http, issuer, clientId);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.search || url.hash) return 'must not have a query or fragment';
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'must be an https URL';
  return http.check(issuer);
}

export const listIdentityProviders = defineRoute({
  method: 'GET',
  path: '/admin/identity-providers',
  summary: 'The host’s sign-in providers (Google, Microsoft, GitHub, any OpenID provider)',
  tag: 'admin',
  superAdmin: true,
  schema: { response: Type.Array(IdentityProvider) },
  deps: { publicUrl: kernelRefs.publicUrl },
  errors: [],
  async handler({ db, deps }) {
    const rows = await db.query<Row>(`select ${columns} from identity_providers p order by p.name, p.slug`);
    return rows.map((row) => present(row, deps.publicUrl()));
  },
});

export const getIdentityProvider = defineRoute({
  method: 'GET',
  path: '/admin/identity-providers/:id',
  summary: 'One sign-in provider',
  tag: 'admin',
  superAdmin: true,
  schema: { params: IdParams, response: IdentityProvider },
  deps: { publicUrl: kernelRefs.publicUrl },
  errors: [],
  async handler({ db, deps, params }) {
    const row = await db.one<Row>(`select ${columns} from identity_providers p where p.id = $1`, [params.id]);
    if (!row) throw new NotFoundError('Sign-in provider not found');
    return present(row, deps.publicUrl());
  },
});

export const createIdentityProvider = defineRoute({
  method: 'POST',
  path: '/admin/identity-providers',
  summary: 'Add a sign-in provider (a preset kind fills in its issuer, scopes and name)',
  tag: 'admin',
  superAdmin: true,
  schema: {
    body: Type.Object(
      {
        slug: Slug,
        kind: Kind,
        name: Type.Optional(Name),
        issuer: Type.Optional(Issuer),
        client_id: ClientId,
        client_secret: Type.Optional(Secret),
        scopes: Type.Optional(Scopes),
        enabled: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: withStatus(IdentityProvider, 201),
  },
  deps: { publicUrl: kernelRefs.publicUrl, secretBox: kernelRefs.secretBox, httpClient: kernelRefs.httpClient },
  errors: [commonErrors.conflict],
  async handler({ body, db, deps, audit }) {
    const preset = providerPresets[body.kind];
    const issuer = (body.issuer ?? preset.issuer ?? '').replace(/\/+$/, '');
    if (!issuer) throw new ValidationError({ issuer: ['is required'] });
    const problem = await issuerFieldProblem(deps.httpClient, body.kind, issuer, body.client_id);
    if (problem) throw new ValidationError({ issuer: [problem] });
    let row: Row | undefined;
    try {
      row = await db.one<Row>(
        `insert into identity_providers (slug, kind, name, issuer, client_id, client_secret_enc, scopes, enabled)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning *, 0 as linked_users`,
        [
          body.slug,
          body.kind,
          body.name?.trim() || preset.name,
          issuer,
          body.client_id,
          body.client_secret ? deps.secretBox.seal(body.client_secret) : null,
          body.scopes ?? preset.scopes,
          body.enabled ?? true,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A sign-in provider with this slug exists', { errors: { slug: ['is taken'] } });
      throw error;
    }
    await audit({
      action: 'admin.identity_provider.created',
      targetType: 'identity_provider',
      targetId: row!.id,
      data: { slug: body.slug, kind: body.kind, issuer },
    });
    return Reply.created(present(row!, deps.publicUrl()));
  },
});

export const updateIdentityProvider = defineRoute({
  method: 'PATCH',
  path: '/admin/identity-providers/:id',
  summary: 'Change a sign-in provider (`client_secret: null` removes the secret; leave it out to keep it; a new issuer unlinks its accounts)',
  tag: 'admin',
  superAdmin: true,
  schema: {
    params: IdParams,
    body: Type.Object(
      {
        name: Type.Optional(Name),
        issuer: Type.Optional(Issuer),
        client_id: Type.Optional(ClientId),
        client_secret: Type.Optional(Type.Union([Secret, Type.Null()])),
        scopes: Type.Optional(Scopes),
        enabled: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: IdentityProvider,
  },
  deps: { publicUrl: kernelRefs.publicUrl, secretBox: kernelRefs.secretBox, httpClient: kernelRefs.httpClient },
  errors: [],
  async handler({ body, db, deps, params, audit }) {
    const current = await db.one<ProviderRow>('select * from identity_providers where id = $1 for update', [params.id]);
    if (!current) throw new NotFoundError('Sign-in provider not found');
    const issuer = body.issuer !== undefined ? body.issuer.replace(/\/+$/, '') : current.issuer;
    const clientId = body.client_id ?? current.client_id;
    if (issuer !== current.issuer || clientId !== current.client_id) {
      const problem = await issuerFieldProblem(deps.httpClient, current.kind, issuer, clientId);
      if (problem) throw new ValidationError({ issuer: [problem] });
    }
    // Subjects are the issuer's: under another issuer the same `sub` may be someone else, so the old links go.
    const unlinked = issuer !== current.issuer ? (await db.query('delete from user_identities where provider_id = $1 returning id', [params.id])).length : 0;
    const secret = body.client_secret === undefined ? current.client_secret_enc : body.client_secret === null ? null : deps.secretBox.seal(body.client_secret);
    const row = await db.one<Row>(
      `update identity_providers set name = $2, issuer = $3, client_id = $4, client_secret_enc = $5, scopes = $6, enabled = $7, updated_at = now()
        where id = $1 returning *, (select count(*)::int from user_identities i where i.provider_id = $1) as linked_users`,
      [params.id, body.name?.trim() || current.name, issuer, clientId, secret, body.scopes ?? current.scopes, body.enabled ?? current.enabled],
    );
    db.afterCommit(forgetConfigurations);
    const changed = Object.keys(body);
    await audit({
      action: 'admin.identity_provider.updated',
      targetType: 'identity_provider',
      targetId: params.id,
      data: { slug: current.slug, changed, ...(unlinked > 0 ? { unlinked } : {}) },
    });
    return present(row!, deps.publicUrl());
  },
});

export const deleteIdentityProvider = defineRoute({
  method: 'DELETE',
  path: '/admin/identity-providers/:id',
  summary: 'Remove a sign-in provider and every account linked through it (disable it instead to keep the links)',
  tag: 'admin',
  superAdmin: true,
  schema: { params: IdParams, response: NoContent },
  errors: [],
  async handler({ db, params, audit }) {
    const row = await db.one<{ slug: string; linked_users: number }>(
      `delete from identity_providers p where p.id = $1
       returning p.slug, (select count(*)::int from user_identities i where i.provider_id = p.id) as linked_users`,
      [params.id],
    );
    if (!row) throw new NotFoundError('Sign-in provider not found');
    db.afterCommit(forgetConfigurations);
    await audit({ action: 'admin.identity_provider.deleted', targetType: 'identity_provider', targetId: params.id, data: { ...row } });
    return Reply.noContent();
  },
});

export const identityProviderRoutes: CoreRoute[] = [
  listIdentityProviders,
  getIdentityProvider,
  createIdentityProvider,
  updateIdentityProvider,
  deleteIdentityProvider,
];
