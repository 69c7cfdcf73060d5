import { commonErrors, listPage, NoContent, Nullable, type Stored, Timestamp, toJson, withStatus } from '@plinth/sdk';
import { ConflictError, ForbiddenError, NotFoundError, PageQuery, paginate, Reply, Type, ValidationError, type AnyRoute, type Static } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId } from '../services/access.js';
import { requireMembers } from '../services/members.js';
import { IdParams, MemberId } from '../services/schemas.js';

const Link = Type.Object(
  { guardian_user_id: MemberId({ title: 'Guardian' }), learner_user_id: MemberId({ title: 'Learner' }) },
  { additionalProperties: false },
);
const GuardianLink = Type.Object({
  id: Type.String({ format: 'uuid' }),
  guardian_user_id: Type.String({ format: 'uuid' }),
  learner_user_id: Type.String({ format: 'uuid' }),
  created_at: Timestamp,
});
type GuardianLinkRow = Stored<Static<typeof GuardianLink>, 'created_at'>;
const linkColumns = 'id, guardian_user_id, learner_user_id, created_at';
const LearnerProgress = Type.Object({
  enrollment_id: Type.String({ format: 'uuid' }),
  course_id: Type.String({ format: 'uuid' }),
  course_title: Type.String(),
  progress_percent: Type.Integer(),
  completed_at: Nullable(Timestamp),
  last_activity_at: Timestamp,
  expires_at: Nullable(Timestamp),
  enrolled_at: Timestamp,
  average_quiz_score: Nullable(Type.Number()),
});
type LearnerProgressRow = Stored<Static<typeof LearnerProgress>, 'completed_at' | 'last_activity_at' | 'expires_at' | 'enrolled_at'>;

/** Guardians (parents, observers): members who may read a learner's progress. */
export function guardianRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/guardians',
      summary: 'Guardian links, filtered by guardian or learner',
      permission: permissions['guardians.manage'],
      schema: {
        query: Type.Composite([
          PageQuery,
          Type.Object({ guardian_user_id: Type.Optional(Type.String({ format: 'uuid' })), learner_user_id: Type.Optional(Type.String({ format: 'uuid' })) }),
        ]),
        response: Type.Array(GuardianLink),
      },
      async handler({ query, deps }) {
        const filter = '($1::uuid is null or guardian_user_id = $1) and ($2::uuid is null or learner_user_id = $2)';
        const values = [query.guardian_user_id ?? null, query.learner_user_id ?? null];
        const { items, total } = await listPage<GuardianLinkRow>(
          deps.db,
          { select: linkColumns, from: 'lms_guardians', where: filter, orderBy: 'created_at, id', values },
          query,
        );
        return Reply.list(toJson(items), paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/guardians',
      summary: 'Let a member (guardian) read a learner’s progress',
      errors: [commonErrors.conflict],
      permission: permissions['guardians.manage'],
      schema: { body: Link, response: withStatus(GuardianLink, 201) },
      async handler({ body, deps }) {
        if (body.guardian_user_id === body.learner_user_id) throw new ValidationError({ guardian_user_id: ['must differ from learner_user_id'] });
        await requireMembers(deps.members, [body.guardian_user_id], 'guardian_user_id');
        await requireMembers(deps.members, [body.learner_user_id], 'learner_user_id');
        const [link] = await deps.db.query<GuardianLinkRow>(
          `insert into lms_guardians (guardian_user_id, learner_user_id) values ($1, $2) on conflict do nothing returning ${linkColumns}`,
          [body.guardian_user_id, body.learner_user_id],
        );
        if (!link) throw new ConflictError('This guardian already follows this learner');
        await deps.audit.record({ entity: 'guardian', verb: 'created', target: link.id, after: link });
        return Reply.created(toJson(link));
      },
    }),
    route({
      method: 'DELETE',
      path: '/guardians/:id',
      summary: 'Remove a guardian link',
      permission: permissions['guardians.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps }) {
        const [removed] = await deps.db.query<GuardianLinkRow>(`delete from lms_guardians where id = $1 returning ${linkColumns}`, [params.id]);
        if (!removed) throw new NotFoundError('Guardian link not found');
        await deps.audit.record({ entity: 'guardian', verb: 'deleted', target: removed.id, before: removed });
        return Reply.noContent();
      },
    }),
    route({
      method: 'GET',
      path: '/my/learners',
      summary: 'The learners the caller is guardian of, with their names',
      permission: permissions['learning.access'],
      schema: { response: Type.Array(Type.Object({ user_id: Type.String({ format: 'uuid' }), name: Nullable(Type.String()) })) },
      async handler({ deps, ctx }) {
        const links = await deps.db.query<{ learner_user_id: string }>(
          'select learner_user_id from lms_guardians where guardian_user_id = $1 order by created_at',
          [callerId(ctx)],
        );
        const people = await Promise.all(links.map((link) => deps.members.get(link.learner_user_id)));
        return links.map((link, index) => ({ user_id: link.learner_user_id, name: people[index]?.name ?? null }));
      },
    }),
    route({
      method: 'GET',
      path: '/learners/:id/progress',
      summary: 'A learner’s enrolments and progress: the learner, their guardians, and staff with lms.enrollments.view',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: Type.Array(LearnerProgress) },
      async handler({ params, deps, ctx }) {
        const me = callerId(ctx);
        const guardian =
          me === params.id || (await deps.db.one('select 1 from lms_guardians where guardian_user_id = $1 and learner_user_id = $2', [me, params.id]));
        if (!guardian && !ctx.can(permissions['enrollments.view'])) throw new ForbiddenError('Only the learner, their guardians and staff see this progress');
        const rows = await deps.db.query<LearnerProgressRow & { unit_id: string | null }>(
          `select e.unit_id, e.id as enrollment_id, e.course_id, c.title as course_title, e.progress_percent, e.completed_at, e.last_activity_at, e.expires_at, e.created_at as enrolled_at,
                  (select round(avg(a.score), 1)::float from lms_attempts a join lms_quizzes q on q.id = a.quiz_id join lms_lessons l on l.id = q.lesson_id
                    where l.course_id = e.course_id and a.user_id = e.user_id and a.status <> 'in_progress') as average_quiz_score
             from lms_enrollments e join lms_courses c on c.id = e.course_id where e.user_id = $1 order by e.created_at`,
          [params.id],
        );
        // Staff see the enrolments of the units they hold `enrollments.view` in; the learner and guardians all of them.
        const shown = guardian ? rows : rows.filter((row) => ctx.can(permissions['enrollments.view'], { unit: row.unit_id }));
        return toJson(shown.map(({ unit_id: _, ...row }) => row));
      },
    }),
  ];
}
