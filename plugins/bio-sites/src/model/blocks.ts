import { ValidationError, type FieldErrors } from '@plinth/sdk';
import { parseEmbedUrl } from './embeds.js';
import { checkUrl } from './urls.js';

/** The kinds of block a page is made of. */
export const blockTypes = ['link', 'heading', 'text', 'image', 'social', 'embed', 'email_capture', 'product'] as const;
export type BlockType = (typeof blockTypes)[number];

/** Networks a social icons row may link to. */
export const socialNetworks = [
  'instagram',
  'tiktok',
  'youtube',
  'x',
  'facebook',
  'linkedin',
  'github',
  'spotify',
  'twitch',
  'mastodon',
  'threads',
  'bluesky',
  'website',
] as const;

/** The most blocks a site may have (keeps a page well under 30 KB in practice). */
export const maxBlocksPerSite = 50;

type Data = Record<string, unknown>;

/** Reads the fields of one block's `data`, collecting field errors keyed `data.<field>`. */
class DataReader {
  readonly errors: FieldErrors = {};
  private readonly seen = new Set<string>();
  constructor(private readonly data: Data) {}

  fail(field: string, message: string): void {
    (this.errors[`data.${field}`] ??= []).push(message);
  }

  text(field: string, options: { max: number; min?: number; optional?: boolean; fallback?: string }): string | undefined {
    this.seen.add(field);
    const value = this.data[field];
    if (value === undefined || value === null) {
      if (options.fallback !== undefined) return options.fallback;
      if (!options.optional) this.fail(field, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') return (this.fail(field, 'must be a string'), undefined);
    const trimmed = value.trim();
    if (trimmed.length < (options.min ?? 0)) this.fail(field, options.min === 1 ? 'must not be empty' : `must be at least ${options.min} characters`);
    else if (trimmed.length > options.max) this.fail(field, `must be at most ${options.max} characters`);
    return trimmed;
  }

  url(field: string, options: { httpsOnly?: boolean } = {}): string | undefined {
    const value = this.text(field, { max: Number.MAX_SAFE_INTEGER, min: 1 });
    if (value === undefined || this.errors[`data.${field}`]) return undefined;
    const checked = checkUrl(value, options);
    if ('error' in checked) return (this.fail(field, checked.error), undefined);
    return checked.url;
  }

  raw(field: string): unknown {
    this.seen.add(field);
    return this.data[field];
  }

  /** Refuses fields the block type does not know. */
  done(): void {
    for (const field of Object.keys(this.data)) if (!this.seen.has(field)) this.fail(field, 'is not allowed');
  }
}

/**
 * Validates and normalises a block's `data` for its type: text trimmed and bounded, URLs http/https only
 * (images https only, as the page's Content-Security-Policy requires), embeds reduced to a known provider's ids.
 * Throws `422` with `data.<field>` errors.
 */
export function parseBlockData(type: BlockType, data: Data): Data {
  const read = new DataReader(data);
  let parsed: Data = {};
  switch (type) {
    case 'link':
      parsed = { title: read.text('title', { min: 1, max: 100 }), url: read.url('url'), icon: read.text('icon', { max: 16, optional: true }) ?? null };
      break;
    case 'heading':
      parsed = { text: read.text('text', { min: 1, max: 100 }) };
      break;
    case 'text':
      parsed = { text: read.text('text', { min: 1, max: 1000 }) };
      break;
    case 'image':
      parsed = { ...imageSource(read), alt: read.text('alt', { max: 200 }) };
      break;
    case 'social':
      parsed = { links: socialLinks(read) };
      break;
    case 'embed': {
      const url = read.url('url');
      const embed = url ? parseEmbedUrl(url) : undefined;
      if (url && !embed) read.fail('url', 'must be a YouTube or Spotify URL');
      parsed = { url, ...embed, title: read.text('title', { max: 100, optional: true }) ?? null };
      break;
    }
    case 'email_capture':
      parsed = {
        title: read.text('title', { min: 1, max: 100, fallback: 'Join my newsletter' }),
        description: read.text('description', { max: 300, optional: true }) ?? null,
        button_label: read.text('button_label', { min: 1, max: 40, fallback: 'Subscribe' }),
      };
      break;
    case 'product':
      parsed = productFields(read);
      break;
  }
  read.done();
  if (Object.keys(read.errors).length > 0) throw new ValidationError(read.errors);
  return parsed;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An image block shows an https `url`, or a stored file (`file_id`, attached to the site when saved): one of them. */
function imageSource(read: DataReader): { url: string | undefined } | { file_id: string | undefined } {
  const fileId = read.raw('file_id');
  if (fileId === undefined || fileId === null) return { url: read.url('url', { httpsOnly: true }) };
  if (read.raw('url') !== undefined) read.fail('url', 'must be left out when file_id is given');
  if (typeof fileId !== 'string' || !uuid.test(fileId)) read.fail('file_id', 'must be the id of an uploaded file');
  return { file_id: typeof fileId === 'string' ? fileId.toLowerCase() : undefined };
}

const productSlug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A product card: the shop product's `product_slug` and the Buy link's `label`. `product_id` is the service's to set
 * (resolved from the slug on every save), so one sent back from a read is accepted and ignored.
 */
function productFields(read: DataReader): Data {
  const slug = read.text('product_slug', { min: 1, max: 80 });
  if (slug !== undefined && !read.errors['data.product_slug'] && !productSlug.test(slug)) {
    read.fail('product_slug', "must be a product's slug (lower-case letters, digits and inner hyphens)");
  }
  read.raw('product_id');
  return { product_slug: slug, label: read.text('label', { min: 1, max: 40, optional: true }) ?? null };
}

function socialLinks(read: DataReader): { network: string; url: string }[] {
  const value = read.raw('links');
  if (!Array.isArray(value) || value.length === 0 || value.length > 12) {
    read.fail('links', 'must be a list of 1 to 12 { network, url }');
    return [];
  }
  return value.map((item: unknown, index) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Data;
    const network = entry.network;
    if (typeof network !== 'string' || !(socialNetworks as readonly string[]).includes(network)) {
      read.fail(`links.${index}.network`, `must be one of ${socialNetworks.join(', ')}`);
    }
    const checked = typeof entry.url === 'string' ? checkUrl(entry.url) : { error: 'must be an http or https URL' };
    if ('error' in checked) read.fail(`links.${index}.url`, checked.error);
    for (const key of Object.keys(entry)) if (key !== 'network' && key !== 'url') read.fail(`links.${index}.${key}`, 'is not allowed');
    return { network: String(network), url: 'url' in checked ? checked.url : '' };
  });
}
