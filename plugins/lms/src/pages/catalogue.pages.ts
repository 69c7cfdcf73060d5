import { actingUserId, type AnyRoute, formatMoney, html, rawBody, Redirect, Reply, type RequestContext, type SafeHtml, tenantPages, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { activeEnrollment, courseAccessColumns, type CourseAccessRow } from '../services/access.js';
import { catalogue, type CatalogueCourse, catalogueCourse } from '../services/catalogue.js';
import { enrollSelf } from '../services/self-enroll.js';
import { asPage, learnerGate, lmsPage, messagePage, notFoundPage, signInPath, tenantPath, toSignIn, translator } from './layout.js';

type Ctx = RequestContext<unknown>;

const perPage = 20;
const TenantParams = { tenant: Type.String({ maxLength: 100 }) };
const SlugParams = Type.Object({ ...TenantParams, slug: Type.String({ maxLength: 200 }) });
const slugPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The course's price line, or "Free". */
function priceText(ctx: Ctx, course: CatalogueCourse): string | null {
  const t = translator(ctx);
  if (course.free) return t('free');
  if (course.price === null || course.currency === null) return null;
  return t('price', { price: formatMoney(course.price, course.currency, ctx.tenant.locale) });
}

function courseCard(ctx: Ctx, course: CatalogueCourse): SafeHtml {
  const t = translator(ctx);
  const description = course.description.length > 240 ? `${course.description.slice(0, 240).trimEnd()}…` : course.description;
  const price = priceText(ctx, course);
  return html`<li class="card">
    <h2><a href="${tenantPath(ctx, `/courses/${course.slug}`)}">${course.title}</a></h2>
    <p class="muted">${t('level', { level: course.level })} · ${t('lessons', { count: course.lesson_count })}</p>
    ${description ? html`<p>${description}</p>` : html``} ${price ? html`<p><strong>${price}</strong></p>` : html``}
  </li>`;
}

/** The description as paragraphs (plain text: blank lines separate them). */
function paragraphs(text: string): SafeHtml[] {
  return text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => html`<p>${part}</p>`);
}

/** What a course page offers: buy (sold), continue (enrolled), enrol (free, signed in), sign in (free, anonymous). */
async function callToAction(deps: Parameters<typeof enrollSelf>[0], ctx: Ctx, course: CatalogueCourse): Promise<SafeHtml> {
  const t = translator(ctx);
  const userId = actingUserId(ctx);
  const here = tenantPath(ctx, `/courses/${course.slug}`);
  if (userId && (await activeEnrollment(deps.db, course.id, userId))) {
    return html`<p><a class="button" href="${tenantPath(ctx, `/learn/${course.id}`)}">${t('continueLearning')}</a></p>`;
  }
  if (!course.free) {
    if (!course.buy_url || course.price === null || course.currency === null) return html`<p class="muted">${t('notForSale')}</p>`;
    return html`<p><a class="button" href="${course.buy_url}">${t('buy', { price: formatMoney(course.price, course.currency, ctx.tenant.locale) })}</a></p>`;
  }
  if (!userId) return html`<p><a class="button" href="${signInPath(ctx, here)}">${t('signInToEnrol')}</a></p>`;
  return html`<form method="post" action="${`${here}/enroll`}"><button type="submit">${t('enrol')}</button></form>`;
}

/** The public catalogue pages: `/c/:tenant/courses`, `/c/:tenant/courses/:slug` and the free-course "Enrol" form. */
export function cataloguePages({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/courses',
      summary: 'The course catalogue page: published courses, searchable (HTML)',
      public: true,
      root: tenantPages,
      schema: {
        params: Type.Object(TenantParams),
        query: Type.Object({ q: Type.Optional(Type.String({ maxLength: 500 })), page: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: rawBody('text/html', 'The catalogue page'),
      },
      async handler({ query, deps, ctx }) {
        const t = translator(ctx);
        const q = (query.q ?? '').trim().slice(0, 100);
        const requested = Number.parseInt(query.page ?? '1', 10);
        const page = Number.isInteger(requested) && requested >= 1 && requested <= 10_000 ? requested : 1;
        const { items, total } = await catalogue(deps, { page, per_page: perPage, ...(q ? { q } : {}) });
        const pages = Math.max(1, Math.ceil(total / perPage));
        const link = (to: number) => `${tenantPath(ctx, '/courses')}?${new URLSearchParams({ ...(q ? { q } : {}), page: String(to) }).toString()}`;
        return lmsPage(ctx, {
          title: t('courses'),
          indexable: true,
          body: html`<h1>${t('courses')}</h1>
            <form method="get" action="${tenantPath(ctx, '/courses')}" role="search">
              <label for="q">${t('searchLabel')}</label>
              <input id="q" name="q" type="search" value="${q}" maxlength="100" />
              <button type="submit">${t('search')}</button>
            </form>
            ${
              items.length
                ? html`<ul class="cards">
                    ${items.map((course) => courseCard(ctx, course))}
                  </ul>`
                : html`<p>${t('noCourses')}</p>`
            }
            ${
              pages > 1
                ? html`<nav class="pager" aria-label="${t('pageOf', { page, pages })}">
                    ${page > 1 ? html`<a href="${link(page - 1)}">${t('previousPage')}</a>` : html`<span></span>`}
                    <span class="muted">${t('pageOf', { page, pages })}</span>
                    ${page < pages ? html`<a href="${link(page + 1)}">${t('nextPage')}</a>` : html`<span></span>`}
                  </nav>`
                : html``
            }`,
        });
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/courses/:slug',
      summary: 'A published course’s page: description, outline, instructors, price and Buy, or Enrol for a free course (HTML)',
      public: true,
      root: tenantPages,
      schema: { params: SlugParams, response: rawBody('text/html', 'The course page', [200, 404]) },
      async handler({ params, deps, ctx }) {
        const t = translator(ctx);
        const course = slugPattern.test(params.slug) ? await catalogueCourse(deps, params.slug) : undefined;
        if (!course) return notFoundPage(ctx);
        const modules = course.modules.filter((module) => module.lessons.length > 0);
        return lmsPage(ctx, {
          title: course.title,
          indexable: true,
          body: html`<h1>${course.title}</h1>
            <p class="muted">${t('level', { level: course.level })} · ${t('lessons', { count: course.lesson_count })}</p>
            ${course.instructors.length ? html`<p>${t('by', { names: course.instructors.map((instructor) => instructor.name).join(', ') })}</p>` : html``}
            ${priceText(ctx, course) ? html`<p><strong>${priceText(ctx, course)}</strong></p>` : html``} ${await callToAction(deps, ctx, course)}
            ${paragraphs(course.description)}
            ${
              modules.length
                ? html`<h2>${t('outline')}</h2>
                    ${modules.map(
                      (module) =>
                        html`<h3>${module.title}</h3>
                          <ol class="outline">
                            ${module.lessons.map(
                              (lesson) =>
                                html`<li>${lesson.title}${lesson.free_preview ? html`<span class="state muted">(${t('freePreview')})</span>` : html``}</li>`,
                            )}
                          </ol>`,
                    )}`
                : html``
            }`,
        });
      },
    }),
    route({
      method: 'POST',
      path: '/c/:tenant/courses/:slug/enroll',
      summary: 'The "Enrol" form of a free course: enrols the signed-in caller, then 303 to the course’s learning page',
      public: true,
      root: tenantPages,
      rateLimit: { per: 'ip', max: 30, windowSeconds: 60 },
      body: { types: ['application/x-www-form-urlencoded'], limitBytes: 1024 },
      schema: { params: SlugParams, body: Type.Object({}), response: Redirect(303, 'To the course’s learning page (or to sign in)') },
      async handler({ params, deps, ctx }) {
        const here = tenantPath(ctx, `/courses/${params.slug}`);
        const course = slugPattern.test(params.slug)
          ? await deps.db.one<CourseAccessRow>(`select ${courseAccessColumns()} from lms_courses c where c.slug = $1 and c.status = 'published'`, [params.slug])
          : undefined;
        if (!course) return notFoundPage(ctx);
        if (actingUserId(ctx) === null) return toSignIn(ctx, here);
        const refused = learnerGate(ctx, here);
        if (refused) return refused;
        return asPage(
          ctx,
          async () => {
            await enrollSelf(deps, ctx, course);
            return Reply.redirect(tenantPath(ctx, `/learn/${course.id}`), 303, { 'cache-control': 'no-store' });
          },
          () => messagePage(ctx, 403, 'noAccessTitle', 'noAccessBody', { href: here, label: 'seeCourse' }),
        );
      },
    }),
  ];
}
