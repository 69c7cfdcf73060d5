/**
 * The site's own settings in the editor: title, bio and avatar (uploaded); the theme as a gallery of presets with
 * custom colours and a font; and sharing: publish or unpublish, and the public address with copy, open and QR.
 */
import { useState } from 'preact/hooks';
import { fontStacks, themePresets } from '../../src/model/theme-presets';
import { ErrorBanner, Field, type Plinth, problemsAt, type Site, sitePath, StoredImage } from './editor-common';

interface Props {
  plinth: Plinth;
  site: Site;
  onSaved(site: Site): void;
}

/** Saves a change to the site; the error (messages per field) stays with the form that sent it. */
function useSave({ plinth, site, onSaved }: Props) {
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  async function save(body: Record<string, unknown>, done: string): Promise<boolean> {
    setSaving(true);
    setError(undefined);
    try {
      const answer = await plinth.call<Site>('PATCH', sitePath(site.id), { body });
      onSaved(answer.data);
      plinth.announce(done);
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setSaving(false);
    }
  }
  return { error, saving, save };
}

export function SiteDetails(props: Props) {
  const { plinth, site } = props;
  const { t } = plinth;
  const [title, setTitle] = useState(site.title);
  const [bio, setBio] = useState(site.bio);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>();
  const { error, saving, save } = useSave(props);

  async function upload(file: File | undefined) {
    if (!file) return;
    setUploading(true);
    setUploadError(undefined);
    try {
      const stored = await plinth.upload(file, { visibility: 'public' });
      await save({ avatar_file_id: stored.id }, t('Avatar saved'));
    } catch (caught) {
      setUploadError(caught);
    } finally {
      setUploading(false);
    }
  }

  return (
    <section class="bio-section" aria-labelledby="bio-details-heading">
      <h2 id="bio-details-heading">{t('Profile')}</h2>
      <ErrorBanner error={uploadError ?? error} />
      <div class="bio-avatar-row">
        {site.avatar_file_id ? (
          <StoredImage plinth={plinth} id={site.avatar_file_id} alt={t('Your avatar')} class="bio-avatar" size={64} />
        ) : (
          <span class="bio-avatar empty" aria-hidden="true">
            {site.title.slice(0, 1).toUpperCase()}
          </span>
        )}
        <Field
          id="bio-avatar"
          label={site.avatar_file_id ? t('Replace the avatar') : t('Avatar image')}
          hint={uploading ? t('Uploading…') : undefined}
          problems={problemsAt(error, 'avatar_file_id')}
        >
          {(describedBy) => (
            <input
              id="bio-avatar"
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp,image/avif"
              aria-describedby={describedBy}
              onChange={(event) => void upload(event.currentTarget.files?.[0])}
            />
          )}
        </Field>
        {site.avatar_file_id && (
          <button type="button" class="secondary small" onClick={() => void save({ avatar_file_id: null }, t('Avatar removed'))}>
            {t('Remove the avatar')}
          </button>
        )}
      </div>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save({ title, bio }, t('Profile saved'));
        }}
      >
        <Field id="bio-title" label={t('Title')} problems={problemsAt(error, 'title')}>
          {(describedBy) => (
            <input
              id="bio-title"
              required
              maxLength={100}
              value={title}
              aria-describedby={describedBy}
              onInput={(event) => setTitle(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="bio-bio" label={t('Bio')} problems={problemsAt(error, 'bio')}>
          {(describedBy) => (
            <textarea id="bio-bio" rows={3} maxLength={500} value={bio} aria-describedby={describedBy} onInput={(event) => setBio(event.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" disabled={saving}>
          {t('Save profile')}
        </button>
      </form>
    </section>
  );
}

type Colour = 'background' | 'text' | 'accent';

export function SiteTheme(props: Props) {
  const { plinth, site } = props;
  const { t } = plinth;
  const { error, save } = useSave(props);
  const presetNames: Record<string, string> = { light: t('Light'), dark: t('Dark'), sunset: t('Sunset'), forest: t('Forest'), ocean: t('Ocean') };
  const fontNames: Record<string, string> = { system: t('System'), serif: t('Serif'), mono: t('Monospace'), rounded: t('Rounded') };
  const colourNames: Record<Colour, string> = { background: t('Background colour'), text: t('Text colour'), accent: t('Button colour') };
  const theme = site.theme;
  const preset = themePresets[theme.preset as keyof typeof themePresets];
  const custom = !!preset && (['background', 'text', 'accent'] as const).some((colour) => preset[colour] !== theme[colour]);
  // The preset just chosen shows as chosen while it is saved (back to the site's when the save fails).
  const [choosing, setChoosing] = useState<string>();
  const chosen = choosing ?? (custom ? undefined : theme.preset);
  // Choosing a preset drops the custom colours; a custom colour keeps the others as they are now.
  const choosePreset = (name: string) => {
    setChoosing(name);
    void save({ theme: { preset: name, font: theme.font } }, t('Theme saved')).finally(() => setChoosing(undefined));
  };
  const chooseColour = (colour: Colour, value: string) =>
    void save(
      { theme: { preset: theme.preset, font: theme.font, background: theme.background, text: theme.text, accent: theme.accent, [colour]: value } },
      t('Theme saved'),
    );
  const chooseFont = (font: string) => {
    const colours = custom ? { background: theme.background, text: theme.text, accent: theme.accent } : {};
    void save({ theme: { preset: theme.preset, font, ...colours } }, t('Theme saved'));
  };
  const problems = Object.entries((error as { errors?: Record<string, string[]> } | undefined)?.errors ?? {}).flatMap(([, messages]) => messages);

  return (
    <section class="bio-section" aria-labelledby="bio-theme-heading">
      <h2 id="bio-theme-heading">{t('Theme')}</h2>
      <ErrorBanner error={error} />
      {problems.length > 0 && <p class="field-error">{problems.join(' ')}</p>}
      <fieldset class="bio-presets">
        <legend>{t('Preset')}</legend>
        {Object.entries(themePresets).map(([name, colours]) => (
          <label key={name} class={`bio-preset${chosen === name ? ' chosen' : ''}`}>
            <input type="radio" name="bio-preset" value={name} checked={chosen === name} onChange={() => choosePreset(name)} />
            <span
              class="bio-swatch"
              style={{ background: colours.background, color: colours.text, fontFamily: fontStacks[theme.font as keyof typeof fontStacks] }}
              aria-hidden="true"
            >
              <span>Aa</span>
              <span class="bio-swatch-button" style={{ background: colours.accent }} />
            </span>
            <span>{presetNames[name] ?? name}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="bio-colours">
        <legend>{custom ? t('Custom colours') : t('Colours')}</legend>
        {(['background', 'text', 'accent'] as const).map((colour) => (
          <div class="bio-colour" key={colour}>
            <input id={`bio-colour-${colour}`} type="color" value={theme[colour]} onChange={(event) => chooseColour(colour, event.currentTarget.value)} />
            <label for={`bio-colour-${colour}`}>{colourNames[colour]}</label>
          </div>
        ))}
      </fieldset>
      <Field id="bio-font" label={t('Font')}>
        {(describedBy) => (
          <select id="bio-font" value={theme.font} aria-describedby={describedBy} onChange={(event) => chooseFont(event.currentTarget.value)}>
            {Object.keys(fontStacks).map((font) => (
              <option key={font} value={font}>
                {fontNames[font] ?? font}
              </option>
            ))}
          </select>
        )}
      </Field>
    </section>
  );
}

export function SiteSharing(props: Props) {
  const { plinth, site } = props;
  const { t } = plinth;
  const { error, saving, save } = useSave(props);
  const published = site.status === 'published';
  return (
    <section class="bio-section" aria-labelledby="bio-share-heading">
      <h2 id="bio-share-heading">{t('Share')}</h2>
      <ErrorBanner error={error} />
      <p class="bio-status">
        <span class={`badge${published ? ' on' : ''}`}>{published ? t('Published') : t('Not published')}</span>{' '}
        {published ? t('Anyone with the address can see your page.') : t('Only your team sees this page until you publish it.')}
      </p>
      <button
        type="button"
        class={published ? 'secondary' : ''}
        disabled={saving}
        onClick={() => void save({ status: published ? 'unpublished' : 'published' }, published ? t('Page unpublished') : t('Page published'))}
      >
        {published ? t('Unpublish') : t('Publish')}
      </button>
      {published && <plinth-share url={plinth.publicUrl(site.url)} />}
    </section>
  );
}
