/**
 * Parts of the plan editor: the limits table (one row per limit of the host's catalogue: a number, "Unlimited", or
 * empty for the default) and the included plugins (every plugin without a price, or a chosen list).
 */
import { billingAdminText as t } from './admin-billing-messages';
import { megabyteLimits, type LimitDraft, type LimitEntry } from './admin-billing-model';
import type { InstalledPlugin } from './admin-billing-plugin-prices';
import { Table } from './list';
import { pluginText, pluginTitle } from './plugin-text';
import { FieldNotes } from './ui';

/** A limit's name for people: core quotas in the console's words, plugins' through their catalogues. */
export function limitLabel(entry: LimitEntry): string {
  const core: Record<string, string> = {
    members: t('limit_members'),
    api_tokens: t('limit_api_tokens'),
    storage_bytes: t('limit_storage_bytes'),
    requests_per_minute: t('limit_requests_per_minute'),
  };
  const label = entry.plugin ? pluginText(entry.plugin, entry.label) : (core[entry.limit] ?? entry.label);
  return megabyteLimits.has(entry.limit) ? t('megabytes', { label }) : label;
}

/** The limits table; `problems` keyed `limits.<key>` as the API keys them. */
export function LimitsTable(props: {
  catalogue: readonly LimitEntry[];
  plugins: readonly InstalledPlugin[];
  drafts: Record<string, LimitDraft>;
  onDraft(limit: string, draft: LimitDraft): void;
  problems: Record<string, string[]>;
}) {
  const { catalogue, plugins, drafts, onDraft, problems } = props;
  const owner = (entry: LimitEntry) => {
    if (!entry.plugin) return t('coreLimit');
    const plugin = plugins.find((candidate) => candidate.name === entry.plugin);
    return plugin ? pluginTitle(plugin) : entry.plugin;
  };
  return (
    <Table columns={[t('limit'), t('value'), t('unlimited')]}>
      {catalogue.map((entry) => {
        const draft = drafts[entry.limit] ?? { value: '', unlimited: false };
        const errors = problems[`limits.${entry.limit}`] ?? [];
        const id = `limit-${entry.limit.replace(/[^a-z0-9-]/gi, '-')}`;
        const label = limitLabel(entry);
        return (
          <tr key={entry.limit} data-limit={entry.limit}>
            <td>
              <span id={`${id}-name`} class="limit-name">
                <strong>{label}</strong> <span class="muted">{owner(entry)}</span>
              </span>
            </td>
            <td data-label={t('value')} class={errors.length > 0 ? 'field invalid' : undefined}>
              <input
                id={id}
                type="text"
                inputMode="numeric"
                dir="ltr"
                autoComplete="off"
                aria-label={t('limitValue', { label })}
                placeholder={draft.unlimited ? '' : entry.plugin ? t('noLimit') : t('hostDefault')}
                disabled={draft.unlimited}
                value={draft.unlimited ? '' : draft.value}
                aria-invalid={errors.length > 0 ? 'true' : undefined}
                aria-describedby={errors.length > 0 ? `${id}-error` : undefined}
                onInput={(event) => onDraft(entry.limit, { ...draft, value: event.currentTarget.value })}
              />
              <FieldNotes id={id} errors={errors} />
            </td>
            <td data-label={t('unlimited')}>
              <input
                type="checkbox"
                class="limit-unlimited"
                aria-label={t('limitUnlimited', { label })}
                checked={draft.unlimited}
                onChange={(event) => onDraft(entry.limit, { ...draft, unlimited: event.currentTarget.checked })}
              />
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

/** Which plugins the plan includes: `every` (the API's `null`) or the names in `chosen`. */
export function PluginsChoice(props: {
  plugins: readonly InstalledPlugin[];
  /** Plugins sold as add-ons (noted beside their names). */
  priced: readonly string[];
  every: boolean;
  chosen: readonly string[];
  onEvery(every: boolean): void;
  onChosen(chosen: string[]): void;
  errors: string[];
}) {
  const { plugins, priced, every, chosen, onEvery, onChosen, errors } = props;
  return (
    <fieldset class="plan-plugins" aria-describedby={errors.length > 0 ? 'plan-plugins-error' : undefined}>
      <legend>{t('pluginsTitle')}</legend>
      <label class="choice">
        <input type="radio" name="plan-plugins" checked={every} onChange={() => onEvery(true)} aria-describedby="plan-plugins-every-hint" />
        <span>{t('pluginsEvery')}</span>
      </label>
      <small class="hint choice-hint" id="plan-plugins-every-hint">
        {t('pluginsEveryHint')}
      </small>
      <label class="choice">
        <input type="radio" name="plan-plugins" checked={!every} onChange={() => onEvery(false)} />
        <span>{t('pluginsOnly')}</span>
      </label>
      {plugins.length === 0 ? (
        <p class="muted">{t('noInstalledPlugin')}</p>
      ) : (
        <ul class="plugin-checks">
          {plugins.map((plugin) => (
            <li key={plugin.name}>
              <label class="choice">
                <input
                  type="checkbox"
                  value={plugin.name}
                  disabled={every}
                  checked={every ? !priced.includes(plugin.name) : chosen.includes(plugin.name)}
                  onChange={(event) => onChosen(event.currentTarget.checked ? [...chosen, plugin.name] : chosen.filter((name) => name !== plugin.name))}
                />
                <span>
                  {pluginTitle(plugin)} <code>{plugin.name}</code>
                  {priced.includes(plugin.name) && <span class="badge">{t('addonNote')}</span>}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <FieldNotes id="plan-plugins" errors={errors} />
    </fieldset>
  );
}
