import { type AnyRoute, rawBody, Redirect, Reply, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { loadPage } from '../public/page-loader.js';
import { recordHit } from '../public/record-hit.js';
import { htmlReply, notFoundReply } from '../public/html-reply.js';
import { pageMessages } from '../public/page-messages.js';
import { renderMessage } from '../public/render-page.js';
import { codeLookup, siteLookup } from '../public/tenant-lookup.js';
import { captureSubscriber, isEmail } from '../services/subscribers.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 64 }) });

/** Whether a request is a visit or a click: `HEAD` (link checkers, previews) reaches the `GET` routes but is never counted. */
const counts = (method: string) => method !== 'HEAD';

/** Whether `If-None-Match` names the current ETag (weak comparison, `*` included). */
function matches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (typeof ifNoneMatch !== 'string') return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

/** Visitors' routes at the site root: pages, tracked link redirects, short links and the email-capture form. */
export function publicRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/b/:slug',
      summary: "A site's public page (HTML)",
      public: true,
      root: siteLookup.mount(),
      schema: {
        params: SlugParams,
        query: Type.Object({ subscribed: Type.Optional(Type.String()) }),
        response: rawBody('text/html', 'The page (304 when the ETag matches)', [200, 304]),
      },
      async handler({ params, query, deps, ctx }) {
        const subscribed = query.subscribed === '1';
        const { page, siteId } = await loadPage(deps, ctx.tenant, params.slug.toLowerCase(), subscribed ? 'subscribed' : 'plain');
        if (!page || !siteId) return notFoundReply(ctx.tenant);
        // Browsers revalidate every time (no-cache): a visit is counted, and the answer is a 304 when nothing changed.
        const headers = { etag: page.etag, 'cache-control': 'public, no-cache' };
        if (!subscribed && counts(ctx.method)) await recordHit(deps, ctx, { kind: 'visit', siteId });
        if (matches(ctx.headers['if-none-match'], page.etag)) return Reply.raw('', { contentType: 'text/html; charset=utf-8', status: 304, headers });
        return htmlReply(page, headers);
      },
    }),
    route({
      method: 'GET',
      path: '/b/:slug/l/:linkId',
      summary: 'Redirect to a saved link of a site, counting the click',
      rateLimit: { per: 'ip', max: 300, windowSeconds: 60 },
      public: true,
      root: siteLookup.mount(),
      schema: {
        params: Type.Object({ slug: Type.String({ maxLength: 64 }), linkId: Type.String({ maxLength: 64 }) }),
        response: Redirect(302, "Redirect to the link's URL"),
      },
      async handler({ params, deps, ctx }) {
        if (!uuid.test(params.linkId)) return notFoundReply(ctx.tenant, 'link');
        const [link] = await deps.db.prepared<{ url: string; site_id: string }>(
          'bio_sites_live_link',
          `select b.data->>'url' as url, s.id as site_id from bio_sites_blocks b join bio_sites_sites s on s.id = b.site_id
            where s.slug = $1 and s.status = 'published' and b.id = $2 and b.type = 'link'
              and b.active and (b.starts_at is null or b.starts_at <= now()) and (b.ends_at is null or b.ends_at > now())`,
          [params.slug.toLowerCase(), params.linkId],
        );
        if (!link) return notFoundReply(ctx.tenant, 'link');
        if (counts(ctx.method)) await recordHit(deps, ctx, { kind: 'click', siteId: link.site_id, linkId: params.linkId });
        return Reply.redirect(link.url, 302, { 'cache-control': 'no-store' });
      },
    }),
    route({
      method: 'GET',
      path: '/s/:code',
      summary: 'Redirect a short code to its saved target, counting the click',
      rateLimit: { per: 'ip', max: 300, windowSeconds: 60 },
      public: true,
      root: codeLookup.mount(),
      schema: {
        params: Type.Object({ code: Type.String({ maxLength: 64 }) }),
        response: Redirect(302, 'Redirect to the saved target'),
      },
      async handler({ params, deps, ctx }) {
        const [link] = await deps.db.prepared<{ id: string; target_url: string }>(
          'bio_sites_live_short_link',
          'select id, target_url from bio_sites_short_links where code = $1 and active',
          [params.code.toLowerCase()],
        );
        if (!link) return notFoundReply(ctx.tenant, 'link');
        if (counts(ctx.method)) await recordHit(deps, ctx, { kind: 'short', shortLinkId: link.id });
        return Reply.redirect(link.target_url, 302, { 'cache-control': 'no-store' });
      },
    }),
    route({
      method: 'POST',
      path: '/b/:slug/subscribe',
      summary: "A site's email-capture form (urlencoded `email`)",
      rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
      public: true,
      root: siteLookup.mount(),
      body: { types: ['application/x-www-form-urlencoded'], limitBytes: 4096 },
      schema: {
        params: SlugParams,
        body: Type.Object({ email: Type.Optional(Type.String()), website: Type.Optional(Type.String()) }),
        response: Redirect(303, 'Back to the page, thanking the subscriber'),
      },
      async handler({ params, body, deps, ctx }) {
        const slug = params.slug.toLowerCase();
        const site = await deps.db.one<{ id: string; slug: string; title: string }>(
          `select s.id, s.slug, s.title from bio_sites_sites s
            where s.slug = $1 and s.status = 'published' and exists (
              select 1 from bio_sites_blocks b where b.site_id = s.id and b.type = 'email_capture'
                and b.active and (b.starts_at is null or b.starts_at <= now()) and (b.ends_at is null or b.ends_at > now()))`,
          [slug],
        );
        if (!site) return notFoundReply(ctx.tenant);
        const thanks = Reply.redirect(`/b/${site.slug}?subscribed=1#subscribed`, 303, { 'cache-control': 'no-store' });
        if (body.website) return thanks; // the hidden field only bots fill in
        const email = (body.email ?? '').trim();
        if (!isEmail(email)) {
          const t = pageMessages.translator(ctx.tenant.locale);
          return htmlReply(renderMessage(422, t('checkEmailTitle'), t('checkEmailBody'), pageMessages.language(ctx.tenant.locale)));
        }
        await captureSubscriber(deps, site, email);
        return thanks;
      },
    }),
  ];
}
