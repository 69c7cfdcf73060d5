import type { CrmContactsApi } from '@plinth/plugin-crm';
import { isPlinthError, type PluginAudit, type PluginEvents, type TenantDb } from '@plinth/sdk';

/** A plausible email address: what a browser's `type=email` accepts, at most 254 characters. */
export function isEmail(value: string): boolean {
  return (
    value.length <= 254 &&
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.test(value)
  );
}

/**
 * Captures a subscriber of a site: a CRM contact (source `bio-sites`, tagged with the site) when the tenant has
 * enabled the CRM, otherwise a row of the plugin's own subscribers (once per site and address). Emits
 * `bio-sites.subscriber.captured` for a new subscriber. A CRM whose plan's contacts are all used refuses a new
 * contact (`limit_reached`): the visitor is not turned away, the address goes to the plugin's own list instead.
 */
export async function captureSubscriber(
  deps: { db: TenantDb; events: PluginEvents; audit: PluginAudit; crm: CrmContactsApi | undefined },
  site: { id: string; slug: string; title: string },
  email: string,
): Promise<'crm' | 'local'> {
  const result = await deps.crm
    ?.upsert({
      email,
      source: 'bio-sites',
      tags: ['bio-sites', `bio-site:${site.slug}`],
      interaction: { type: 'subscribed', subject: `Subscribed on the bio site ${site.title}`, channel: 'web' },
    })
    .catch((error: unknown) => {
      if (isPlinthError(error) && error.code === 'limit_reached') return undefined;
      throw error;
    });
  if (result) {
    if (result.created) await deps.events.emit('bio-sites.subscriber.captured', { siteId: site.id, email });
    return 'crm';
  }
  const [inserted] = await deps.db.query<{ id: string }>(
    'insert into bio_sites_subscribers (site_id, email) values ($1, $2) on conflict (tenant_id, site_id, lower(email)) do nothing returning id',
    [site.id, email],
  );
  if (!inserted) return 'local';
  // A visitor subscribed (no actor); the address is personal data: the entry says it was set, not what to.
  await deps.audit.record({ entity: 'subscriber', verb: 'created', target: inserted.id, after: { site_id: site.id, email }, redact: ['email'] });
  await deps.events.emit('bio-sites.subscriber.captured', { siteId: site.id, email });
  return 'local';
}
