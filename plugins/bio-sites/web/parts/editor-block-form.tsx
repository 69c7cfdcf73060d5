/**
 * The typed form of one block, to add it or change it in place: a link (its title filled in from the page when a
 * URL is pasted), a heading, text, an image (uploaded), social profiles, an embed, an email form or a shop product
 * (picked from the tenant's products on sale), each with its schedule in the tenant's time zone.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Block, type BlockType, ErrorBanner, Field, StoredImage, fromZonedInput, type Plinth, problemsAt, sitePath, toZonedInput } from './editor-common';
import { NetworkBadge, socialNetworks } from './editor-networks';

type Data = Record<string, unknown>;

/** The name of each type of block, in the console's language. */
export function typeName(plinth: Plinth, type: BlockType): string {
  const { t } = plinth;
  const names: Record<BlockType, string> = {
    link: t('Link'),
    heading: t('Heading'),
    text: t('Text'),
    image: t('Image'),
    social: t('Social profiles'),
    embed: t('Video or music'),
    email_capture: t('Email sign-up'),
    product: t('Product'),
  };
  return names[type];
}

/** What a new block of each type starts with. */
function emptyData(type: BlockType): Data {
  switch (type) {
    case 'link':
      return { url: '', title: '', icon: '' };
    case 'social':
      return { links: [{ network: 'instagram', url: '' }] };
    case 'email_capture':
      return { title: '', description: '', button_label: '' };
    case 'product':
      return { product_slug: '', label: '' };
    case 'image':
      return { alt: '' };
    default:
      return {};
  }
}

/**
 * The data to send: empty optional texts left out (the server fills its defaults); what the server derives dropped
 * (a product's id, an embed's provider and ids: an embed is edited by its URL).
 */
function cleaned(type: BlockType, data: Data): Data {
  const out: Data = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'product_id' || key === 'provider' || key === 'kind' || key === 'id') continue;
    if (typeof value === 'string' && value.trim() === '' && !(type === 'image' && key === 'alt')) continue;
    out[key] = value;
  }
  return out;
}

interface Props {
  plinth: Plinth;
  siteId: string;
  type: BlockType;
  /** The block being changed; a new block when absent. */
  block?: Block;
  onSaved(block: Block): void;
  onCancel(): void;
}

export function BlockForm({ plinth, siteId, type, block, onSaved, onCancel }: Props) {
  const { t } = plinth;
  const zone = plinth.tenant.timeZone;
  const [data, setData] = useState<Data>(() => (block ? { ...block.data } : emptyData(type)));
  const [startsAt, setStartsAt] = useState(toZonedInput(block?.starts_at ?? null, zone));
  const [endsAt, setEndsAt] = useState(toZonedInput(block?.ends_at ?? null, zone));
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const first = useRef<HTMLFormElement>(null);
  const id = (field: string) => `block-${block?.id ?? 'new'}-${field}`;
  const set = (field: string, value: unknown) => setData((current) => ({ ...current, [field]: value }));
  const problems = (field: string) => problemsAt(error, field);

  useEffect(() => {
    first.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    const schedule = { starts_at: fromZonedInput(startsAt, zone), ends_at: fromZonedInput(endsAt, zone) };
    try {
      const body = { data: cleaned(type, data), ...schedule };
      const answer = block
        ? await plinth.call<Block>('PATCH', `${sitePath(siteId)}/blocks/${block.id}`, { body })
        : await plinth.call<Block>('POST', `${sitePath(siteId)}/blocks`, { body: { type, ...body } });
      onSaved(answer.data);
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  }

  const text = (field: string, label: string, options: { hint?: string; long?: boolean; required?: boolean; url?: boolean } = {}) => (
    <Field id={id(field)} label={label} hint={options.hint} problems={problems(`data.${field}`)}>
      {(describedBy) => {
        const common = {
          id: id(field),
          value: String(data[field] ?? ''),
          required: options.required,
          'aria-describedby': describedBy,
          onInput: (event: Event) => set(field, (event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
        };
        if (options.long) return <textarea rows={3} {...common} />;
        return options.url ? <input type="url" dir="ltr" {...common} /> : <input type="text" {...common} />;
      }}
    </Field>
  );

  return (
    <form
      ref={first}
      class="bio-block-form"
      onSubmit={(event) => void submit(event)}
      aria-label={block ? t('Edit {type}', { type: typeName(plinth, type) }) : t('New {type}', { type: typeName(plinth, type) })}
    >
      <ErrorBanner error={error} />
      {type === 'link' && <LinkFields plinth={plinth} data={data} set={set} id={id} problems={problems} />}
      {type === 'heading' && text('text', t('Heading text'), { required: true })}
      {type === 'text' && text('text', t('Text'), { long: true, required: true })}
      {type === 'image' && <ImageFields plinth={plinth} data={data} setData={setData} id={id} problems={problems} />}
      {type === 'social' && <SocialFields plinth={plinth} data={data} set={set} id={id} problems={problems} />}
      {type === 'embed' && (
        <>
          {text('url', t('YouTube or Spotify address'), { url: true, required: true, hint: t('Paste the address of a video, song, album or playlist') })}
          {text('title', t('Title (optional)'))}
        </>
      )}
      {type === 'email_capture' && (
        <>
          {text('title', t('Title'), { hint: t('“Join my newsletter” when empty') })}
          {text('description', t('Description (optional)'), { long: true })}
          {text('button_label', t('Button label'), { hint: t('“Subscribe” when empty') })}
        </>
      )}
      {type === 'product' && <ProductFields plinth={plinth} data={data} set={set} id={id} problems={problems} />}
      <fieldset class="bio-schedule">
        <legend>{t('Schedule (optional)')}</legend>
        <Field id={id('starts')} label={t('Show from')} problems={problems('starts_at')} hint={t('Times in {zone}', { zone })}>
          {(describedBy) => (
            <input
              id={id('starts')}
              type="datetime-local"
              value={startsAt}
              aria-describedby={describedBy}
              onInput={(event) => setStartsAt(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field id={id('ends')} label={t('Show until')} problems={problems('ends_at')}>
          {(describedBy) => (
            <input
              id={id('ends')}
              type="datetime-local"
              value={endsAt}
              aria-describedby={describedBy}
              onInput={(event) => setEndsAt(event.currentTarget.value)}
            />
          )}
        </Field>
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={saving}>
          {block ? t('Save block') : t('Add to page')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('Cancel')}
        </button>
      </div>
    </form>
  );
}

interface PartProps {
  plinth: Plinth;
  data: Data;
  set(field: string, value: unknown): void;
  id(field: string): string;
  problems(field: string): string[];
}

/** URL first: pasting (or leaving) it asks the server for the page's title, filled in while the title is empty. */
function LinkFields({ plinth, data, set, id, problems }: PartProps) {
  const { t } = plinth;
  const [looking, setLooking] = useState(false);
  const asked = useRef('');
  async function lookUp(url: string) {
    const trimmed = url.trim();
    if (!/^https?:\/\/\S+\.\S+/i.test(trimmed) || asked.current === trimmed || String(data.title ?? '').trim()) return;
    asked.current = trimmed;
    setLooking(true);
    try {
      const { data: found } = await plinth.call<{ title: string | null }>('GET', '/bio-sites/link-title', { query: { url: trimmed } });
      // The creator may have typed a title meanwhile: theirs wins.
      if (found.title) setTitleIfEmpty(found.title);
    } catch {
      // No title to offer (a refused or unreadable address): the creator types one; saving explains a bad URL.
    } finally {
      setLooking(false);
    }
  }
  const titleRef = useRef<HTMLInputElement>(null);
  function setTitleIfEmpty(title: string) {
    if (titleRef.current && titleRef.current.value.trim() === '') set('title', title);
  }
  return (
    <>
      <Field id={id('url')} label={t('Address (URL)')} hint={t('Paste a link: its title fills itself in')} problems={problems('data.url')}>
        {(describedBy) => (
          <input
            id={id('url')}
            type="url"
            dir="ltr"
            required
            placeholder="https://"
            value={String(data.url ?? '')}
            aria-describedby={describedBy}
            onInput={(event) => {
              const value = event.currentTarget.value;
              set('url', value);
              if ((event as InputEvent).inputType === 'insertFromPaste') void lookUp(value);
            }}
            onBlur={(event) => void lookUp(event.currentTarget.value)}
          />
        )}
      </Field>
      <Field id={id('title')} label={t('Title')} problems={problems('data.title')} hint={looking ? t('Looking up the page’s title…') : undefined}>
        {(describedBy) => (
          <input
            ref={titleRef}
            id={id('title')}
            required
            value={String(data.title ?? '')}
            aria-describedby={describedBy}
            aria-busy={looking}
            onInput={(event) => set('title', event.currentTarget.value)}
          />
        )}
      </Field>
      <Field id={id('icon')} label={t('Icon (optional)')} hint={t('An emoji shown before the title')} problems={problems('data.icon')}>
        {(describedBy) => (
          <input
            id={id('icon')}
            class="bio-icon-input"
            maxLength={16}
            value={String(data.icon ?? '')}
            aria-describedby={describedBy}
            onInput={(event) => set('icon', event.currentTarget.value)}
          />
        )}
      </Field>
    </>
  );
}

/** An image uploaded as a public file (or one already on the web, by its https address), with its text alternative. */
function ImageFields({ plinth, data, setData, id, problems }: Omit<PartProps, 'set'> & { setData(update: (current: Data) => Data): void }) {
  const { t } = plinth;
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<unknown>();
  const fileId = typeof data.file_id === 'string' ? data.file_id : undefined;
  async function upload(file: File | undefined) {
    if (!file) return;
    setUploading(true);
    setError(undefined);
    try {
      const stored = await plinth.upload(file, { visibility: 'public' });
      setData((current) => {
        const { url: _url, ...rest } = current;
        return { ...rest, file_id: stored.id };
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setUploading(false);
    }
  }
  return (
    <>
      <ErrorBanner error={error} />
      {fileId && <StoredImage plinth={plinth} id={fileId} alt={t('The image')} class="bio-image-thumb" />}
      <Field
        id={id('file')}
        label={fileId ? t('Replace the image') : t('Image file')}
        hint={uploading ? t('Uploading…') : t('PNG, JPEG, GIF, WebP or AVIF')}
        problems={problems('data.file_id')}
      >
        {(describedBy) => (
          <input
            id={id('file')}
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp,image/avif"
            aria-describedby={describedBy}
            onChange={(event) => void upload(event.currentTarget.files?.[0])}
          />
        )}
      </Field>
      {!fileId && (
        <Field id={id('url')} label={t('Or an image address (https)')} problems={problems('data.url')}>
          {(describedBy) => (
            <input
              id={id('url')}
              type="url"
              dir="ltr"
              value={String(data.url ?? '')}
              aria-describedby={describedBy}
              onInput={(event) => {
                const value = event.currentTarget.value;
                setData((current) => ({ ...current, url: value }));
              }}
            />
          )}
        </Field>
      )}
      <Field id={id('alt')} label={t('Description for people who cannot see it')} problems={problems('data.alt')}>
        {(describedBy) => (
          <input
            id={id('alt')}
            value={String(data.alt ?? '')}
            aria-describedby={describedBy}
            onInput={(event) => setData((current) => ({ ...current, alt: event.currentTarget.value }))}
          />
        )}
      </Field>
    </>
  );
}

interface SocialLink {
  network: string;
  url: string;
}

/** Rows of network + profile address. */
function SocialFields({ plinth, data, set, id, problems }: PartProps) {
  const { t } = plinth;
  const links = (Array.isArray(data.links) ? data.links : []) as SocialLink[];
  const change = (index: number, patch: Partial<SocialLink>) =>
    set(
      'links',
      links.map((link, at) => (at === index ? { ...link, ...patch } : link)),
    );
  return (
    <fieldset class="bio-social">
      <legend>{t('Profiles')}</legend>
      {problems('data.links').length > 0 && <p class="field-error">{problems('data.links').join(' ')}</p>}
      {links.map((link, index) => (
        <div class="bio-social-row" key={index}>
          <NetworkBadge network={link.network} />
          <Field id={id(`network-${index}`)} label={t('Network {number}', { number: index + 1 })} problems={problems(`data.links.${index}.network`)}>
            {(describedBy) => (
              <select
                id={id(`network-${index}`)}
                value={link.network}
                aria-describedby={describedBy}
                onChange={(event) => change(index, { network: event.currentTarget.value })}
              >
                {socialNetworks.map((network) => (
                  <option key={network.id} value={network.id}>
                    {network.id === 'website' ? t('Website') : network.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={id(`profile-${index}`)} label={t('Profile address {number}', { number: index + 1 })} problems={problems(`data.links.${index}.url`)}>
            {(describedBy) => (
              <input
                id={id(`profile-${index}`)}
                type="url"
                dir="ltr"
                required
                placeholder="https://"
                value={link.url}
                aria-describedby={describedBy}
                onInput={(event) => change(index, { url: event.currentTarget.value })}
              />
            )}
          </Field>
          {links.length > 1 && (
            <button
              type="button"
              class="secondary small"
              onClick={() =>
                set(
                  'links',
                  links.filter((_, at) => at !== index),
                )
              }
            >
              {t('Remove profile {number}', { number: index + 1 })}
            </button>
          )}
        </div>
      ))}
      {links.length < 12 && (
        <button type="button" class="secondary small" onClick={() => set('links', [...links, { network: 'website', url: '' }])}>
          {t('Add a profile')}
        </button>
      )}
    </fieldset>
  );
}

interface ProductChoice {
  id: string;
  name: string;
  slug: string;
}

/** A picker of the shop's products on sale (courses are sold as products too), and the buy button's label. */
function ProductFields({ plinth, data, set, id, problems }: PartProps) {
  const { t } = plinth;
  const [products, setProducts] = useState<ProductChoice[]>();
  const [error, setError] = useState<unknown>();
  const canList = plinth.can('shop.products.view');
  useEffect(() => {
    if (!canList) return;
    plinth.call<ProductChoice[]>('GET', '/shop/products', { query: { status: 'active', per_page: 100, sort: 'name' } }).then(
      (answer) => setProducts(answer.data),
      (caught: unknown) => setError(caught),
    );
  }, [canList]);
  if (!canList) return <p class="banner warning">{t('Product blocks need the Shop: enable it in the marketplace to sell on your page.')}</p>;
  return (
    <>
      <ErrorBanner error={error} />
      <Field
        id={id('product')}
        label={t('Product')}
        problems={problems('data.product_slug')}
        hint={products?.length === 0 ? t('No product is on sale yet: create one in the Shop and make it active.') : undefined}
      >
        {(describedBy) => (
          <select
            id={id('product')}
            required
            value={String(data.product_slug ?? '')}
            aria-describedby={describedBy}
            onChange={(event) => set('product_slug', event.currentTarget.value)}
          >
            <option value="">{products ? t('Choose a product') : t('Loading…')}</option>
            {(products ?? []).map((product) => (
              <option key={product.id} value={product.slug}>
                {product.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={id('label')} label={t('Button label (optional)')} hint={t('“Buy” when empty')} problems={problems('data.label')}>
        {(describedBy) => (
          <input
            id={id('label')}
            value={String(data.label ?? '')}
            aria-describedby={describedBy}
            onInput={(event) => set('label', event.currentTarget.value)}
          />
        )}
      </Field>
    </>
  );
}
