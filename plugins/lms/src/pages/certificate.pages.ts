import { type AnyRoute, html, rawBody, tenantPages, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { formatDate, lmsPage, notFoundPage, translator } from './layout.js';

/** The public certificate page, `/c/:tenant/certificates/:code`: what verification shows (name, course, date), nothing else. */
export function certificatePages({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/certificates/:code',
      summary: 'A certificate’s page (public): learner’s name, course and date, for the link learners share (HTML)',
      // Public: stops guessing certificate codes, as the JSON verification does.
      rateLimit: { per: 'ip', max: 60, windowSeconds: 60 },
      public: true,
      root: tenantPages,
      schema: {
        params: Type.Object({ tenant: Type.String({ maxLength: 100 }), code: Type.String({ maxLength: 100 }) }),
        response: rawBody('text/html', 'The page', [200, 404]),
      },
      async handler({ params, deps, ctx }) {
        if (!/^[A-Za-z0-9]{16}$/.test(params.code)) return notFoundPage(ctx);
        const certificate = await deps.db.one<{ name: string; course: string; issued_at: Date; code: string }>(
          'select learner_name as name, course_title as course, issued_at, code from lms_certificates where code = $1',
          [params.code.toUpperCase()],
        );
        if (!certificate) return notFoundPage(ctx);
        const t = translator(ctx);
        return lmsPage(ctx, {
          title: t('certificateTitle'),
          body: html`<h1>${t('certificateTitle')}</h1>
            <p>${t('certificateBody', { name: certificate.name, course: certificate.course, date: formatDate(ctx, certificate.issued_at) })}</p>
            <p class="muted">${t('certificateCode', { code: certificate.code })}</p>`,
        });
      },
    }),
  ];
}
