import type { ComponentChildren } from 'preact';
import { currentLanguage } from './i18n';
import { Table } from './list';
import { preferenceText as t } from './notifications-preferences-messages';
import { ErrorBanner, Form, Submit } from './ui';

/** How a person hears of a notification. */
export type Channel = 'inapp' | 'email' | 'sms' | 'whatsapp';

/** The channels in the order the grid shows them. */
export const channels: readonly Channel[] = ['inapp', 'email', 'sms', 'whatsapp'];

/** At once, or in an hourly or daily summary. */
export type Digest = 'instant' | 'hourly' | 'daily';

const digests: readonly Digest[] = ['instant', 'hourly', 'daily'];

/** A category as the preferences and the workspace's settings list it: each channel on or off, and whether it may change. */
export interface CategoryChoice {
  category: string;
  plugin: string;
  label: string;
  description: string | null;
  required: boolean;
  digest: Digest;
  channels: Record<Channel, { enabled: boolean; locked: boolean }>;
}

/** What `PUT /me/notification-preferences` and `PUT /notification-settings` take: each category's channels and digest. */
export function choicesBody(categories: readonly CategoryChoice[]) {
  return {
    categories: categories.map((choice) => ({
      category: choice.category,
      digest: choice.digest,
      channels: Object.fromEntries(channels.map((channel) => [channel, choice.channels[channel].enabled])),
    })),
  };
}

/** The channel's name in the console's language. */
export function channelName(channel: Channel): string {
  return t(channel);
}

/**
 * Categories (rows) × channels (columns) as checkboxes; each category's digest under its name. A locked channel (a
 * required category's in-app and email) is a disabled checkbox whose row says why.
 */
export function PreferenceGrid(props: { id: string; categories: readonly CategoryChoice[]; disabled?: boolean; onChange(next: CategoryChoice[]): void }) {
  const { id, categories, disabled, onChange } = props;
  const change = (index: number, next: Partial<Pick<CategoryChoice, 'digest' | 'channels'>>) =>
    onChange(categories.map((choice, at) => (at === index ? { ...choice, ...next } : choice)));
  const list = new Intl.ListFormat(currentLanguage(), { type: 'conjunction' });
  return (
    <div class="preference-grid">
      <Table columns={[t('category'), ...channels.map(channelName)]}>
        {categories.map((choice, index) => {
          const rowId = `${id}-${index}`;
          const locked = channels.filter((channel) => choice.channels[channel].locked);
          return (
            <tr key={choice.category} data-category={choice.category}>
              <th scope="row">
                <bdi>{choice.label}</bdi>
                {choice.description && (
                  <small class="hint">
                    <bdi>{choice.description}</bdi>
                  </small>
                )}
                {locked.length > 0 && (
                  <small class="hint preference-locked" id={`${rowId}-locked`}>
                    {t('locked', { channels: list.format(locked.map(channelName)) })}
                  </small>
                )}
                <span class="preference-digest">
                  <span aria-hidden="true">{t('digest')}</span>
                  <select
                    value={choice.digest}
                    disabled={disabled}
                    aria-label={t('digestFor', { category: choice.label })}
                    onChange={(event) => change(index, { digest: (event.currentTarget as HTMLSelectElement).value as Digest })}
                  >
                    {digests.map((digest) => (
                      <option key={digest} value={digest}>
                        {t(digest)}
                      </option>
                    ))}
                  </select>
                </span>
              </th>
              {channels.map((channel) => {
                const state = choice.channels[channel];
                return (
                  <td key={channel} data-label={channelName(channel)} class="preference-channel">
                    <label>
                      <input
                        type="checkbox"
                        checked={state.enabled}
                        disabled={disabled || state.locked}
                        aria-describedby={state.locked ? `${rowId}-locked` : undefined}
                        onChange={(event) =>
                          change(index, {
                            channels: { ...choice.channels, [channel]: { ...state, enabled: (event.currentTarget as HTMLInputElement).checked } },
                          })
                        }
                      />
                      <span class="visually-hidden">{t('channelFor', { channel: channelName(channel), category: choice.label })}</span>
                    </label>
                  </td>
                );
              })}
            </tr>
          );
        })}
      </Table>
    </div>
  );
}

/**
 * The grid in a form with its Save button and, once saved, a message: the account's preferences and the workspace's
 * defaults. `children` come between the form's errors and the grid (a note).
 */
export function PreferenceForm(props: {
  id: string;
  draft: readonly CategoryChoice[];
  onChange(next: CategoryChoice[]): void;
  save: { run(): unknown; busy: boolean; error: unknown };
  saved: boolean;
  savedText: string;
  saveText: string;
  children?: ComponentChildren;
}) {
  const { save } = props;
  return (
    <Form noValidate onSubmit={save.run}>
      <ErrorBanner error={save.error} />
      {props.children}
      <PreferenceGrid id={props.id} categories={props.draft} disabled={save.busy} onChange={props.onChange} />
      {props.saved && (
        <p class="banner success" role="status">
          {props.savedText}
        </p>
      )}
      <Submit busy={save.busy}>{props.saveText}</Submit>
    </Form>
  );
}
