import {
  type AnyRoute,
  ConflictError,
  html,
  rawBody,
  Redirect,
  Reply,
  type RequestContext,
  type SafeHtml,
  SafeHtml as Safe,
  tenantPages,
  Type,
} from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { activeEnrollment, callerId, requireEnrollment, visibleCourse } from '../services/access.js';
import { completeLesson } from '../services/completion.js';
import { myCourses, type MyLesson, myLessons } from '../services/learner-views.js';
import { readableLesson } from '../services/lesson-access.js';
import { lessonFileSignedUrl, type StoredAttachment } from '../services/lesson-files.js';
import { claimPurchases } from '../services/purchases.js';
import { sanitizeContent } from '../services/sanitize.js';
import { asPage, formatDate, learnerGate, lmsPage, messagePage, notFoundPage, tenantPath, translator, uuidPattern } from './layout.js';

type Ctx = RequestContext<unknown>;
type Deps = Parameters<typeof completeLesson>[0];

const Tenant = Type.String({ maxLength: 100 });
const Id = Type.String({ maxLength: 100 });
const CourseParams = Type.Object({ tenant: Tenant, courseId: Id });
const LessonParams = Type.Object({ tenant: Tenant, courseId: Id, lessonId: Id });

/**
 * The 403 page of what the caller may see but not open: a lesson still locked for an enrolled learner (a way back
 * to the course), or a course they are not enrolled in (a way to its catalogue page).
 */
async function notEnrolledPage(deps: Deps, ctx: Ctx, courseId: string) {
  if (await activeEnrollment(deps.db, courseId, callerId(ctx))) {
    return messagePage(ctx, 403, 'lockedTitle', 'lockedBody', { href: tenantPath(ctx, `/learn/${courseId}`), label: 'backToCourse' });
  }
  const course = await deps.db.one<{ slug: string }>(`select slug from lms_courses where id = $1 and status = 'published'`, [courseId]);
  const link = { href: tenantPath(ctx, course ? `/courses/${course.slug}` : '/courses'), label: course ? ('seeCourse' as const) : ('browse' as const) };
  return messagePage(ctx, 403, 'notEnrolledTitle', 'notEnrolledBody', link);
}

function progressBar(ctx: Ctx, title: string, percent: number): SafeHtml {
  const t = translator(ctx);
  return html`<progress value="${percent}" max="100" aria-label="${t('progressLabel', { title })}">${percent}%</progress>
    <p class="muted">${t('progress', { percent })}</p>`;
}

function certificateLink(ctx: Ctx, code: string | null): SafeHtml {
  return code ? html`<p><a href="${tenantPath(ctx, `/certificates/${code}`)}">${translator(ctx)('certificate')}</a></p>` : html``;
}

function lessonPath(ctx: Ctx, courseId: string, lessonId: string): string {
  return tenantPath(ctx, `/learn/${courseId}/lessons/${lessonId}`);
}

/** The course's lessons grouped by module, each with its state (done, locked until a date, open). */
function lessonList(ctx: Ctx, courseId: string, lessons: MyLesson[]): SafeHtml[] {
  const t = translator(ctx);
  const modules = new Map<string, { title: string; lessons: MyLesson[] }>();
  for (const lesson of lessons) {
    const module = modules.get(lesson.module_id) ?? { title: lesson.module_title, lessons: [] };
    module.lessons.push(lesson);
    modules.set(lesson.module_id, module);
  }
  return [...modules.values()].map(
    (module) =>
      html`<h2>${module.title}</h2>
        <ol class="outline">
          ${module.lessons.map((lesson) =>
            lesson.locked
              ? html`<li>${lesson.title}<span class="state muted">${t('unlocks', { date: formatDate(ctx, lesson.available_at) })}</span></li>`
              : html`<li>
                  <a href="${lessonPath(ctx, courseId, lesson.id)}">${lesson.title}</a>
                  ${lesson.completed_at ? html`<span class="state ok">✓ ${t('done')}</span>` : html`<span class="state muted">${t('notDone')}</span>`}
                </li>`,
          )}
        </ol>`,
  );
}

interface LessonContent {
  id: string;
  course_id: string;
  title: string;
  content_html: string;
  video_url: string | null;
  video_file_id: string | null;
  attachments: StoredAttachment[];
}

/** The lesson page: content (sanitised again as it is shown), video and files, "Mark as complete", previous/next. */
async function lessonPage(deps: Deps, ctx: Ctx, courseId: string, lessonId: string, notice?: SafeHtml, status = 200) {
  const t = translator(ctx);
  const { lesson: access, enrollment } = await readableLesson(deps.db, ctx, lessonId);
  if (access.course_id !== courseId) return notFoundPage(ctx);
  const lesson = (await deps.db.one<LessonContent>(
    'select id, course_id, title, content_html, video_url, video_file_id, attachments from lms_lessons where id = $1',
    [lessonId],
  ))!;
  const lessons = enrollment ? await myLessons(deps.db, courseId, enrollment) : [];
  const index = lessons.findIndex((item) => item.id === lessonId);
  const previous = index > 0 ? lessons[index - 1] : undefined;
  const next = index >= 0 ? lessons.slice(index + 1).find((item) => !item.locked) : undefined;
  const done = index >= 0 && lessons[index]!.completed_at !== null;
  const here = lessonPath(ctx, courseId, lessonId);
  const fileUrl = (fileId: string) => `${here}/files/${fileId}`;
  const files = lesson.attachments.map((attachment) =>
    'file_id' in attachment
      ? html`<li><a href="${fileUrl(attachment.file_id)}">${attachment.title}</a></li>`
      : html`<li><a href="${attachment.url}" rel="noopener noreferrer">${attachment.title}</a></li>`,
  );
  const video = lesson.video_file_id ? fileUrl(lesson.video_file_id) : lesson.video_url;
  return lmsPage(ctx, {
    status,
    title: lesson.title,
    body: html`<p><a href="${tenantPath(ctx, `/learn/${courseId}`)}">${access.course.title}</a></p>
      <h1>${lesson.title}</h1>
      ${notice} ${video ? html`<p><a class="button secondary" href="${video}" rel="noopener noreferrer">${t('video')}</a></p>` : html``}
      <div class="lesson-content">${new Safe(sanitizeContent(lesson.content_html))}</div>
      ${
        files.length
          ? html`<h2>${t('files')}</h2>
              <ul>
                ${files}
              </ul>`
          : html``
      }
      ${
        enrollment
          ? done
            ? html`<p class="ok">${t('lessonCompleted')}</p>`
            : html`<form method="post" action="${`${here}/complete`}"><button type="submit">${t('markComplete')}</button></form>`
          : html``
      }
      <nav class="pager" aria-label="${t('lessonNavigation')}">
        ${previous && !previous.locked ? html`<a href="${lessonPath(ctx, courseId, previous.id)}">${t('previousLesson')}</a>` : html`<span></span>`}
        ${next ? html`<a href="${lessonPath(ctx, courseId, next.id)}">${t('nextLesson')}</a>` : html`<a href="${tenantPath(ctx, `/learn/${courseId}`)}">${t('backToCourse')}</a>`}
      </nav>`,
  });
}

/**
 * The learner's pages (signed in with `lms.learning.access`; otherwise 303 to sign-in, coming back): "My courses",
 * a course's lessons and progress, a lesson with "Mark as complete", its files, and certificates.
 */
export function learnerPages({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/learn',
      summary: 'My courses: the signed-in learner’s enrolments with progress (HTML; 303 to sign-in when signed out)',
      public: true,
      root: tenantPages,
      schema: { params: Type.Object({ tenant: Tenant }), response: rawBody('text/html', 'The page, or 303 to sign in', [200, 303, 403]) },
      async handler({ deps, ctx }) {
        const refused = learnerGate(ctx, tenantPath(ctx, '/learn'));
        if (refused) return refused;
        const t = translator(ctx);
        const userId = callerId(ctx);
        const member = await deps.members.get(userId);
        if (member) await claimPurchases(deps, member);
        const { items } = await myCourses(deps.db, userId, { page: 1, per_page: 100 });
        return lmsPage(ctx, {
          title: t('myCourses'),
          body: html`<h1>${t('myCourses')}</h1>
            ${
              items.length
                ? html`<ul class="cards">
                    ${items.map(
                      (course) =>
                        html`<li class="card">
                          <h2>${course.expired ? course.title : html`<a href="${tenantPath(ctx, `/learn/${course.course_id}`)}">${course.title}</a>`}</h2>
                          ${course.expired ? html`<p class="muted">${t('accessEnded')}</p>` : progressBar(ctx, course.title, course.progress_percent)}
                          ${course.completed_at ? html`<p class="ok">${t('completed')}</p>` : html``} ${certificateLink(ctx, course.certificate_code)}
                        </li>`,
                    )}
                  </ul>`
                : html`<p>${t('noEnrolments')}</p>`
            }
            <p><a href="${tenantPath(ctx, '/courses')}">${t('browse')}</a></p>`,
        });
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/learn/:courseId',
      summary: 'An enrolled course: its lessons by module, done marks and progress (HTML; 403 page when not enrolled)',
      public: true,
      root: tenantPages,
      schema: { params: CourseParams, response: rawBody('text/html', 'The page, or 303 to sign in', [200, 303, 403, 404]) },
      async handler({ params, deps, ctx }) {
        const refused = learnerGate(ctx, tenantPath(ctx, `/learn/${params.courseId}`));
        if (refused) return refused;
        if (!uuidPattern.test(params.courseId)) return notFoundPage(ctx);
        const t = translator(ctx);
        return asPage(
          ctx,
          async () => {
            const course = await visibleCourse(deps.db, ctx, params.courseId);
            const enrollment = await requireEnrollment(deps.db, ctx, course.id);
            const summary = (await deps.db.one<{ progress_percent: number; code: string | null }>(
              'select e.progress_percent, cert.code from lms_enrollments e left join lms_certificates cert on cert.enrollment_id = e.id where e.id = $1',
              [enrollment.id],
            ))!;
            const lessons = await myLessons(deps.db, course.id, enrollment);
            const next = lessons.find((lesson) => !lesson.completed_at && !lesson.locked);
            return lmsPage(ctx, {
              title: course.title,
              body: html`<h1>${course.title}</h1>
                ${progressBar(ctx, course.title, summary.progress_percent)}
                ${enrollment.completed_at ? html`<p class="ok">${t('courseCompleted')}</p>` : html``} ${certificateLink(ctx, summary.code)}
                ${next ? html`<p><a class="button" href="${lessonPath(ctx, course.id, next.id)}">${t('continueLearning')}</a></p>` : html``}
                ${lessonList(ctx, course.id, lessons)}`,
            });
          },
          () => notEnrolledPage(deps, ctx, params.courseId),
        );
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/learn/:courseId/lessons/:lessonId',
      summary: 'A lesson: its content, video and files, and "Mark as complete" (HTML; 403 page when not enrolled or still locked)',
      public: true,
      root: tenantPages,
      schema: { params: LessonParams, response: rawBody('text/html', 'The page, or 303 to sign in', [200, 303, 403, 404]) },
      async handler({ params, deps, ctx }) {
        const refused = learnerGate(ctx, lessonPath(ctx, params.courseId, params.lessonId));
        if (refused) return refused;
        if (!uuidPattern.test(params.courseId) || !uuidPattern.test(params.lessonId)) return notFoundPage(ctx);
        return asPage(
          ctx,
          () => lessonPage(deps, ctx, params.courseId, params.lessonId),
          () => notEnrolledPage(deps, ctx, params.courseId),
        );
      },
    }),
    route({
      method: 'POST',
      path: '/c/:tenant/learn/:courseId/lessons/:lessonId/complete',
      summary: 'The "Mark as complete" form: completes the lesson, then 303 to the next open lesson or the course',
      public: true,
      root: tenantPages,
      body: { types: ['application/x-www-form-urlencoded'], limitBytes: 1024 },
      schema: { params: LessonParams, body: Type.Object({}), response: Redirect(303, 'To the next lesson, or the course when it was the last') },
      async handler({ params, deps, ctx }) {
        const here = lessonPath(ctx, params.courseId, params.lessonId);
        const refused = learnerGate(ctx, here);
        if (refused) return refused;
        if (!uuidPattern.test(params.courseId) || !uuidPattern.test(params.lessonId)) return notFoundPage(ctx);
        const t = translator(ctx);
        return asPage(
          ctx,
          async () => {
            const { lesson } = await readableLesson(deps.db, ctx, params.lessonId, { requireEnrollment: true });
            if (lesson.course_id !== params.courseId) return notFoundPage(ctx);
            try {
              await completeLesson(deps, ctx, params.lessonId);
            } catch (error) {
              if (!(error instanceof ConflictError)) throw error;
              return lessonPage(deps, ctx, params.courseId, params.lessonId, html`<p class="notice error" role="alert">${t('quizFirst')}</p>`, 409);
            }
            const enrollment = await requireEnrollment(deps.db, ctx, params.courseId);
            const lessons = await myLessons(deps.db, params.courseId, enrollment);
            const index = lessons.findIndex((item) => item.id === params.lessonId);
            const next = lessons.slice(index + 1).find((item) => !item.locked);
            const to = next ? lessonPath(ctx, params.courseId, next.id) : tenantPath(ctx, `/learn/${params.courseId}`);
            return Reply.redirect(to, 303, { 'cache-control': 'no-store' });
          },
          () => notEnrolledPage(deps, ctx, params.courseId),
        );
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/learn/:courseId/lessons/:lessonId/files/:fileId',
      summary: 'A lesson’s stored video or attachment for its readers: 302 to a signed URL valid 5 minutes',
      public: true,
      root: tenantPages,
      schema: {
        params: Type.Object({ tenant: Tenant, courseId: Id, lessonId: Id, fileId: Id }),
        response: Redirect(302, 'To a signed URL of the file, valid 5 minutes'),
      },
      async handler({ params, deps, ctx }) {
        const refused = learnerGate(ctx, lessonPath(ctx, params.courseId, params.lessonId));
        if (refused) return refused;
        if (![params.courseId, params.lessonId, params.fileId].every((id) => uuidPattern.test(id))) return notFoundPage(ctx);
        return asPage(
          ctx,
          async () => {
            const { lesson } = await readableLesson(deps.db, ctx, params.lessonId);
            if (lesson.course_id !== params.courseId) return notFoundPage(ctx);
            const url = await lessonFileSignedUrl(deps, ctx, params.lessonId, params.fileId);
            return Reply.redirect(url, 302, { 'cache-control': 'no-store' });
          },
          () => notEnrolledPage(deps, ctx, params.courseId),
        );
      },
    }),
  ];
}
