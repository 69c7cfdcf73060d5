import { type AnyRoute, ForbiddenError, NotFoundError, pagePath, toJson, Type } from '@plinth/sdk';
import type { RequestContext, ResolvedDeps } from '@plinth/sdk';
import type { Builders, deps as lmsDeps } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { callerId, canForCourse, enrollmentManagedCourse, instructs, visibleCourse, type CourseAccessRow } from '../services/access.js';
import { enroll } from '../services/enrollments.js';
import { CertificatePreview, courseLearners, EnrollmentProgress, lessonProgress, quizAttempts, withLearners } from '../services/learners.js';
import { IdParams } from '../services/schemas.js';

type Deps = ResolvedDeps<typeof lmsDeps>;
type Ctx = RequestContext<unknown>;

const EmailEnrollment = Type.Object(
  {
    emails: Type.Array(Type.String({ format: 'email', maxLength: 254 }), {
      minItems: 1,
      maxItems: 50,
      title: 'Email addresses',
      description: 'Learners to enrol: members of the tenant, or new customer accounts made for them',
    }),
    expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { title: 'Access ends' })),
  },
  { additionalProperties: false },
);
const EmailEnrollmentResult = Type.Object({
  email: Type.String(),
  user_id: Type.String({ format: 'uuid' }),
  enrollment_id: Type.String({ format: 'uuid' }),
  enrolled: Type.Boolean({ description: 'false: was enrolled already (nobody notified)' }),
  account_created: Type.Boolean({ description: 'true: a new customer account was made for this email' }),
});

/** Staff with `lms.enrollments.view` or an instructor of the course see its learners; others are refused. */
async function learnersCourse(deps: Deps, ctx: Ctx, courseId: string): Promise<CourseAccessRow> {
  const course = await visibleCourse(deps.db, ctx, courseId);
  if (!canForCourse(ctx, permissions['enrollments.view'], course) && !instructs(ctx, course))
    throw new ForbiddenError('Only staff and the course’s instructors see its learners');
  return course;
}

/** For the console's learners screen: enrolment by email, one learner's progress, a certificate preview (the list is `GET /courses/:id/enrollments`). */
export function learnerRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/courses/:id/enrollments/by-email',
      summary: 'Enrol learners by email: members, or new customer accounts; each newly enrolled learner is notified (inbox, and mail by their preferences)',
      // Each address may be notified by mail: keep one member from mailing the world.
      rateLimit: { per: 'principal', max: 60, windowSeconds: 3600 },
      // It mails people on the tenant's behalf: the sender's own email must be verified.
      verifiedEmail: true,
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: EmailEnrollment, response: Type.Array(EmailEnrollmentResult) },
      async handler({ params, body, deps, ctx }) {
        const course = await enrollmentManagedCourse(deps.db, ctx, params.id);
        // One enrolment per person: an address given twice (in any letter case) counts once, as first written.
        const emails = body.emails
          .map((email) => email.trim())
          .filter((email, index, all) => all.findIndex((other) => other.toLowerCase() === email.toLowerCase()) === index);
        const results = [];
        for (const email of emails) {
          const account = await deps.customers.ensure({ email });
          const learner = await deps.members.get(account.userId);
          if (!learner) throw new NotFoundError('The learner’s account could not be found');
          const { enrollment, created } = await enroll(deps, {
            course,
            learner,
            source: 'manual',
            ...(body.expires_at !== undefined ? { expiresAt: body.expires_at } : {}),
          });
          results.push({ email: learner.email, user_id: learner.userId, enrollment_id: enrollment.id, enrolled: created, account_created: account.created });
        }
        return results;
      },
    }),
    route({
      method: 'GET',
      path: '/enrollments/:id/progress',
      summary: 'One learner’s progress in a course, lesson by lesson, with quiz attempts and certificate (staff, instructors, the learner)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: EnrollmentProgress },
      async handler({ params, deps, ctx }) {
        const enrollment = await deps.db.one<{ course_id: string; user_id: string }>('select course_id, user_id from lms_enrollments where id = $1', [
          params.id,
        ]);
        if (!enrollment) throw new NotFoundError('Enrolment not found');
        const course = await visibleCourse(deps.db, ctx, enrollment.course_id);
        const own = enrollment.user_id === callerId(ctx);
        if (!own && !canForCourse(ctx, permissions['enrollments.view'], course) && !instructs(ctx, course)) throw new NotFoundError('Enrolment not found');
        // One after another: they share the request's transaction, which runs one statement at a time anyway.
        const learners = await courseLearners(deps.db, course.id, { page: 1, per_page: 1, enrollmentId: params.id });
        const lessons = await lessonProgress(deps.db, params.id, course.id);
        const attempts = await quizAttempts(deps.db, enrollment.user_id, course.id);
        const certificate = await deps.db.one<{ code: string; issued_at: Date }>('select code, issued_at from lms_certificates where enrollment_id = $1', [
          params.id,
        ]);
        const [withLearner] = await withLearners(deps.members, learners.items);
        return toJson({ enrollment: withLearner!, course: { id: course.id, title: course.title }, lessons, attempts, certificate: certificate ?? null });
      },
    }),
    route({
      method: 'GET',
      path: '/courses/:id/certificate/preview',
      summary: 'What a certificate of the course says: the latest one issued, or an example when none is yet',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: CertificatePreview },
      async handler({ params, deps, ctx }) {
        const course = await learnersCourse(deps, ctx, params.id);
        const latest = await deps.db.one<{ learner_name: string; course_title: string; issued_at: Date; code: string }>(
          'select learner_name, course_title, issued_at, code from lms_certificates where course_id = $1 order by issued_at desc, id limit 1',
          [course.id],
        );
        if (latest) return toJson({ sample: false, ...latest, url: deps.customers.pageUrl(pagePath(ctx.tenant.slug, `/certificates/${latest.code}`)) });
        // None issued yet: the caller's own name on an example, so staff see the layout before the first learner finishes.
        const me = await deps.members.get(callerId(ctx));
        return toJson({ sample: true, learner_name: me?.name ?? '', course_title: course.title, issued_at: new Date(), code: 'EXAMPLE000000000', url: null });
      },
    }),
  ];
}
