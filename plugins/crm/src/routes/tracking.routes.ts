import { type AnyRoute, html, NotFoundError, pageReply, rawBody, type RawReply, Redirect, Reply, type SafeHtml, type TenantDb, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { unsubscribeMessages } from '../services/unsubscribe-messages.js';

/** A transparent 1×1 GIF. */
const pixel = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const noStore = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
const Token = Type.String({ pattern: '^[0-9a-f]{64}$' });
const TokenParams = Type.Object({ tenant: Type.String({ maxLength: 100 }), token: Token });
/** Recipient states from least to most engaged: a later one is never replaced by an earlier one. */
const progression = ['queued', 'failed', 'skipped', 'sending', 'sent', 'opened', 'clicked', 'unsubscribed'];

interface TrackedRecipient {
  id: string;
  campaign_id: string;
  contact_id: string;
  email: string;
  links: string[];
}

/** Records an engagement of the recipient holding `token` (which also proves delivery), or 404. */
async function engage(db: TenantDb, token: string, status: 'opened' | 'clicked' | 'unsubscribed'): Promise<TrackedRecipient> {
  const stamp = { opened: 'opened_at', clicked: 'clicked_at', unsubscribed: 'unsubscribed_at' }[status];
  const clickedOpens = status === 'clicked' ? ', opened_at = coalesce(opened_at, now())' : '';
  const row = await db.one<TrackedRecipient>(
    `update crm_campaign_recipients r set ${stamp} = coalesce(r.${stamp}, now()), sent_at = coalesce(r.sent_at, now())${clickedOpens},
            status = case when array_position($2::text[], r.status) < array_position($2::text[], $3) then $3 else r.status end
       from crm_campaigns k
      where r.token = $1 and k.id = r.campaign_id and r.status not in ('queued', 'skipped')
      returning r.id, r.campaign_id, r.contact_id, r.email, k.links`,
    [token, progression, status],
  );
  if (!row) throw new NotFoundError('Unknown link');
  return row;
}

/** A small page in the tenant's language and direction (the SDK's page shell: strict CSP, no script). */
function page(locale: string, title: string, body: SafeHtml, status = 200): RawReply {
  return pageReply({ status, locale: unsubscribeMessages.language(locale), title, body, headers: { 'referrer-policy': 'no-referrer' } });
}

/**
 * Public links in campaign mail, under `/api/v1/crm/t/:tenant/…`, each carrying the recipient's unguessable
 * token: the open pixel, tracked clicks (redirecting only to the campaign's own links, by index) and the
 * unsubscribe page, honoured for every later campaign.
 */
export function trackingRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/t/:tenant/o/:token',
      summary: 'Open-tracking pixel of a campaign mail',
      public: true,
      tenantParam: 'tenant',
      schema: { params: TokenParams, response: rawBody('image/gif', 'A 1×1 transparent GIF') },
      async handler({ params, deps }) {
        await engage(deps.db, params.token, 'opened');
        return Reply.raw(pixel, { contentType: 'image/gif', headers: noStore });
      },
    }),
    route({
      method: 'GET',
      path: '/t/:tenant/c/:token/:link',
      summary: "A tracked link of a campaign mail: redirects to the campaign's link",
      public: true,
      tenantParam: 'tenant',
      schema: {
        params: Type.Object({ tenant: Type.String({ maxLength: 100 }), token: Token, link: Type.Integer({ minimum: 0, maximum: 999 }) }),
        response: Redirect(302, "Redirect to the campaign's link"),
      },
      async handler({ params, deps }) {
        const recipient = await engage(deps.db, params.token, 'clicked');
        const target = recipient.links[params.link];
        if (!target) throw new NotFoundError('Unknown link');
        return Reply.redirect(target, 302, noStore);
      },
    }),
    route({
      method: 'GET',
      path: '/t/:tenant/u/:token',
      summary: 'The unsubscribe page of a campaign mail (confirms with a POST)',
      public: true,
      tenantParam: 'tenant',
      schema: {
        params: TokenParams,
        response: rawBody(
          'text/html',
          'The page asking to confirm; an unknown link: a page saying so to a browser (`Accept: text/html`), status 404',
          [200, 404],
        ),
      },
      async handler({ params, deps, ctx }) {
        const t = unsubscribeMessages.translator(ctx.tenant.locale);
        const known = await deps.db.one('select 1 from crm_campaign_recipients where token = $1', [params.token]);
        if (!known) {
          // A browser (a reader clicking an old link) gets a page saying so; an API client the JSON envelope.
          if (!/\btext\/html\b/.test(String(ctx.headers.accept ?? ''))) throw new NotFoundError('Unknown link');
          const body = html`<h1>${t('unknownTitle')}</h1>
            <p>${t('unknownBody')}</p>`;
          return page(ctx.tenant.locale, t('unknownTitle'), body, 404);
        }
        const form = html`<h1>${t('confirmTitle')}</h1>
          <p>${t('confirmQuestion', { tenant: ctx.tenant.name })}</p>
          <form method="post"><button type="submit">${t('confirmButton')}</button></form>`;
        return page(ctx.tenant.locale, t('confirmTitle'), form);
      },
    }),
    route({
      method: 'POST',
      path: '/t/:tenant/u/:token',
      summary: 'Unsubscribe (also the one-click List-Unsubscribe-Post target); honoured by every later campaign',
      rateLimit: { per: 'ip', max: 30, windowSeconds: 600 },
      public: true,
      tenantParam: 'tenant',
      body: { types: ['application/x-www-form-urlencoded', 'text/plain', 'application/json'], limitBytes: 1024 },
      schema: { params: TokenParams, response: rawBody('text/html', 'The page confirming it') },
      async handler({ params, deps, ctx }) {
        const recipient = await engage(deps.db, params.token, 'unsubscribed');
        const added = await deps.db.query(
          'insert into crm_unsubscribes (email, campaign_id) values ($1, $2) on conflict (tenant_id, email_key) do nothing returning 1',
          [recipient.email, recipient.campaign_id],
        );
        if (added.length) {
          const [contact] = await deps.db.query<{ unit_id: string | null }>(
            `insert into crm_interactions (contact_id, type, subject, channel)
             select id, 'email', 'Unsubscribed from email campaigns', 'email' from crm_contacts where id = $1
             returning (select unit_id from crm_contacts where id = $1)`,
            [recipient.contact_id],
          );
          // The contact's own act through the mail's link: the entry has no actor (it says `by: crm`).
          await deps.audit.record({
            entity: 'contact',
            verb: 'unsubscribed',
            target: recipient.contact_id,
            unit: contact?.unit_id ?? null,
            data: { campaign_id: recipient.campaign_id },
          });
        }
        const t = unsubscribeMessages.translator(ctx.tenant.locale);
        const body = html`<h1>${t('doneTitle')}</h1>
          <p>${t('doneBody', { email: recipient.email, tenant: ctx.tenant.name })}</p>`;
        return page(ctx.tenant.locale, t('doneTitle'), body);
      },
    }),
  ];
}
