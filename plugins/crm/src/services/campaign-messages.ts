import { textDirection, type MailMessage, type TenantDb } from '@plinth/sdk';
import { escapeHtml, mergeValues, render, type MergeContact } from './template-render.js';
import { rewriteLinks } from './tracked-links.js';
import { unsubscribeMessages } from './unsubscribe-messages.js';

/** What a campaign froze when its send started. */
export interface CampaignSnapshot {
  id: string;
  name: string;
  subject: string;
  html: string;
  text: string;
  links: string[];
  tracking_base_url: string;
}

/** A claimed recipient. */
export interface ClaimedRecipient {
  id: string;
  contact_id: string;
  email: string;
  token: string;
}

/** The public URLs of one recipient (see the tracking routes). */
export function recipientUrls(campaign: CampaignSnapshot, tenantId: string, token: string) {
  const base = `${campaign.tracking_base_url}/api/v1/crm/t/${tenantId}`;
  return { open: `${base}/o/${token}`, click: (index: number) => `${base}/c/${token}/${index}`, unsubscribe: `${base}/u/${token}` };
}

/**
 * The mail of each claimed recipient: merge fields filled from the contact, tracked links, an open pixel, an
 * unsubscribe link (added at the end when the template has none) and the one-click `List-Unsubscribe` headers.
 */
export async function buildMessages(
  db: TenantDb,
  campaign: CampaignSnapshot,
  tenant: { id: string; name: string; locale: string },
  recipients: ClaimedRecipient[],
): Promise<{ id: string; mail: MailMessage }[]> {
  // The footer the platform adds speaks the tenant's language (a contact has no language of its own).
  const t = unsubscribeMessages.translator(tenant.locale);
  const dir = textDirection(tenant.locale);
  const contacts = await db.query<MergeContact & { id: string }>(
    'select id, name, email, phone, company, custom_fields from crm_contacts where id = any($1::uuid[])',
    [recipients.map((recipient) => recipient.contact_id)],
  );
  const byId = new Map(contacts.map((contact) => [contact.id, contact]));
  return recipients.map((recipient) => {
    const urls = recipientUrls(campaign, tenant.id, recipient.token);
    const contact = byId.get(recipient.contact_id) ?? { name: null, email: recipient.email, phone: null, company: null, custom_fields: {} };
    const values = mergeValues({ ...contact, email: recipient.email }, tenant.name, urls.unsubscribe);
    const hasUnsubscribe = campaign.html.includes('unsubscribe_url');
    let html = rewriteLinks(render(campaign.html, values, 'html'), campaign.links, urls.click);
    if (!hasUnsubscribe) html += `<p dir="${dir}"><a href="${escapeHtml(urls.unsubscribe)}">${escapeHtml(t('unsubscribe'))}</a></p>`;
    html += `<img src="${escapeHtml(urls.open)}" width="1" height="1" alt="">`;
    let text = render(campaign.text, values, 'text');
    if (!campaign.text.includes('unsubscribe_url')) text += `\n\n${t('footerText', { url: urls.unsubscribe })}\n`;
    const subject = render(campaign.subject, values, 'text').replace(/[\r\n]+/g, ' ');
    // RFC 2369 and 8058: mail clients offer one-click unsubscribe, posting to the same URL as the link.
    const headers = { 'List-Unsubscribe': `<${urls.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    return { id: recipient.id, mail: { to: recipient.email, subject, html, text, headers } };
  });
}
