/** What enabling a plugin agrees to, in plain words, and what it needs enabled first. */
import { formattingLocale } from './i18n';
import { Icon } from './icons';
import { marketText } from './marketplace-messages';
import { pluginText } from './plugin-text';
import type { MarketplaceEntry, TenantSession } from './session';

/** Built-in roles below the owner, with their labels. */
const grantedRoles = [
  ['admin', 'roleAdmin'],
  ['member', 'roleMember'],
  ['viewer', 'roleViewer'],
  ['customer', 'roleCustomer'],
] as const;

/** What enabling agrees to, in plain words: what each built-in role may then do, and the other apps' data it uses. */
export function Consent({ plugin }: { plugin: MarketplaceEntry }) {
  const byRole = grantedRoles
    .map(([role, label]) => ({
      role,
      label: marketText(label),
      can: plugin.permissions.filter((permission) => permission.grant_to.includes(role)).map((permission) => pluginText(plugin.name, permission.description)),
    }))
    .filter((entry) => entry.can.length > 0);
  return (
    <div class="consent">
      <section class="consent-part" aria-labelledby="consent-roles">
        <h3 id="consent-roles">{marketText('whoGetsWhat')}</h3>
        {plugin.permissions.length === 0 ? (
          <p>{marketText('noPermissions')}</p>
        ) : (
          <>
            <ul class="consent-list">
              <li>
                <strong>{marketText('roleOwner')}</strong> — {marketText('ownerAll')}
              </li>
              {byRole.map((entry) => (
                <li key={entry.role}>
                  <strong>{marketText('roleCan', { role: entry.label })}</strong> {entry.can.join(' · ')}
                </li>
              ))}
            </ul>
            <p class="muted">{marketText('customRoles')}</p>
          </>
        )}
      </section>
      <section class="consent-part" aria-labelledby="consent-data">
        <h3 id="consent-data">{marketText('dataHeading')}</h3>
        {(plugin.uses ?? []).length === 0 ? (
          <p>{marketText('noOtherData')}</p>
        ) : (
          <ul class="consent-list">
            {plugin.uses.map((use) => (
              <li key={use.service}>
                <Icon name={use.access === 'write' ? 'edit' : 'search'} />{' '}
                <strong>
                  {use.access === 'write'
                    ? marketText('writes', { title: pluginText(use.plugin, use.title) })
                    : marketText('reads', { title: pluginText(use.plugin, use.title) })}
                </strong>
                : {pluginText(plugin.name, use.what)}
                {use.optional && <span class="muted"> ({marketText('whenEnabled', { title: pluginText(use.plugin, use.title) })})</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      {plugin.unit_tables.length > 0 && (
        <section class="consent-part" aria-labelledby="consent-units">
          <h3 id="consent-units">{marketText('usesUnits')}</h3>
          <p>{marketText('unitsExplain')}</p>
        </section>
      )}
    </div>
  );
}

/** The titles of plugins by name, joined for a sentence. */
export function titlesOf(tenant: TenantSession, names: readonly string[]): string {
  const titles = names.map((name) => pluginText(name, tenant.plugins.find((candidate) => candidate.name === name)?.title ?? name));
  return new Intl.ListFormat(formattingLocale(), { type: 'conjunction' }).format(titles);
}

/** The plugins `plugin` requires (transitively, dependencies first) that the tenant has not enabled: what `with_dependencies` turns on. */
export function missingChain(tenant: TenantSession, plugin: MarketplaceEntry): string[] {
  const chain: string[] = [];
  const visit = (current: MarketplaceEntry) => {
    for (const name of Object.keys(current.requires.plugins)) {
      const dependency = tenant.plugins.find((candidate) => candidate.name === name);
      if (!dependency || chain.includes(name)) continue;
      visit(dependency);
      if (!dependency.enabled) chain.push(name);
    }
  };
  visit(plugin);
  return chain;
}
