import {
  listPage,
  type AnyRoute,
  NotFoundError,
  PageQuery,
  paginate,
  Reply,
  type Static,
  type Stored,
  type TenantDb,
  Timestamp,
  toJson,
  Type,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId } from '../services/access.js';

const Code = Type.String({ pattern: '^[A-Za-z0-9]{16}$' });
const Verification = Type.Object({ name: Type.String(), course: Type.String(), date: Type.String({ format: 'date' }) });
const Certificate = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  course_id: Type.String({ format: 'uuid' }),
  course_title: Type.String(),
  learner_name: Type.String(),
  issued_at: Timestamp,
});
type CertificateRow = Stored<Static<typeof Certificate>, 'issued_at'>;

/** What a verifier may learn from a code: the learner's name, the course and the date (in the tenant's time zone) — nothing else. */
async function verify(db: TenantDb, code: string, timeZone: string) {
  const certificate = await db.one<{ name: string; course: string; date: string }>(
    `select learner_name as name, course_title as course, to_char(issued_at at time zone $2, 'YYYY-MM-DD') as date from lms_certificates where code = $1`,
    [code.toUpperCase(), timeZone],
  );
  if (!certificate) throw new NotFoundError('No certificate has this code');
  return certificate;
}

/** Certificates: the learner's own, and public verification by code (tenant by `X-Tenant`/host, or in the path). */
export function certificateRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/certificates/verify/:code',
      summary: 'Verify a certificate (public; the tenant from X-Tenant or the host): name, course, date',
      // Public: stops guessing certificate codes; a verifier checks a handful.
      rateLimit: { per: 'ip', max: 60, windowSeconds: 60 },
      public: true,
      schema: { params: Type.Object({ code: Code }), response: Verification },
      async handler({ params, deps, ctx }) {
        return verify(deps.db, params.code, ctx.tenant.timeZone);
      },
    }),
    route({
      method: 'GET',
      path: '/verify/:tenant/:code',
      summary: 'Verify a certificate (public; the tenant slug or id in the path): name, course, date',
      // Public: stops guessing certificate codes; a verifier checks a handful.
      rateLimit: { per: 'ip', max: 60, windowSeconds: 60 },
      public: true,
      tenantParam: 'tenant',
      schema: { params: Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 100 }), code: Code }), response: Verification },
      async handler({ params, deps, ctx }) {
        return verify(deps.db, params.code, ctx.tenant.timeZone);
      },
    }),
    route({
      method: 'GET',
      path: '/my/certificates',
      summary: 'The caller’s certificates',
      permission: permissions['learning.access'],
      schema: { query: PageQuery, response: Type.Array(Certificate) },
      async handler({ query, deps, ctx }) {
        const userId = callerId(ctx);
        const { items, total } = await listPage<CertificateRow>(
          deps.db,
          {
            select: 'id, code, course_id, course_title, learner_name, issued_at',
            from: 'lms_certificates',
            where: 'user_id = $1',
            orderBy: 'issued_at desc, id',
            values: [userId],
          },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
  ];
}
