import { FileRef, PageQuery, Type, Widget, type Static } from '@plinth/sdk';
import { maxImageBytes, pageImageTypes } from './images.js';
import { blockTypes } from './blocks.js';
import { hostNamePattern } from './hosts.js';
import { codePattern, slugPattern } from './slugs.js';
import { Theme } from './theme.js';
import { maxUrlLength } from './urls.js';

const Id = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const IdParams = Type.Object({ id: Id });
export const BlockParams = Type.Object({ id: Id, blockId: Id });

/** A link typed in a form (checked by the routes, which also accept what this does not describe). */
const UrlField = (title: string, description?: string) =>
  Widget(Type.String({ minLength: 1, maxLength: maxUrlLength, title, ...(description ? { description } : {}) }), 'url');

const Seo = Type.Object(
  {
    title: Type.Optional(
      Nullable(Type.String({ maxLength: 70, title: 'Title', description: "The page's title in search results; the site title when empty" })),
    ),
    description: Type.Optional(Nullable(Widget(Type.String({ maxLength: 200, title: 'Description' }), 'textarea'))),
    image_url: Type.Optional(Nullable(UrlField('Sharing image', 'An https image URL shown when the page is shared'))),
  },
  { additionalProperties: false, title: 'Search and sharing' },
);

const siteFields = {
  slug: Type.String({ pattern: slugPattern, title: 'Address', description: 'Globally unique; 3–40 lower-case letters, digits and inner hyphens' }),
  title: Type.String({ minLength: 1, maxLength: 100, title: 'Title' }),
  bio: Widget(Type.String({ maxLength: 500, title: 'Bio' }), 'textarea'),
  avatar_url: Nullable(UrlField('Avatar URL', 'An https image URL (an uploaded avatar image wins)')),
  avatar_file_id: Nullable(
    FileRef(
      { accept: [...pageImageTypes], maxBytes: maxImageBytes, public: true },
      { title: 'Avatar image', description: 'An uploaded image shown on the page (instead of the avatar URL)' },
    ),
  ),
  custom_domain: Nullable(
    Type.String({
      pattern: hostNamePattern,
      title: 'Custom domain',
      description: 'A lower-case host name the page also answers on, once the tenant verified it in core',
      examples: ['links.example.com'],
    }),
  ),
  theme: Theme,
  seo: Seo,
  status: Type.Union([Type.Literal('published'), Type.Literal('unpublished')], { title: 'Status' }),
};

const siteInputFields = {
  slug: siteFields.slug,
  title: siteFields.title,
  bio: Type.Optional(siteFields.bio),
  avatar_url: Type.Optional(siteFields.avatar_url),
  avatar_file_id: Type.Optional(siteFields.avatar_file_id),
  custom_domain: Type.Optional(siteFields.custom_domain),
  theme: Type.Optional(Type.Partial(Theme, { additionalProperties: false, title: 'Theme' })),
  seo: Type.Optional(Seo),
  status: Type.Optional(siteFields.status),
};

/** A new site; unpublished unless `status` says otherwise (the default forms start from). */
export const SiteInput = Type.Object(
  {
    ...siteInputFields,
    status: Type.Optional(Type.Union([Type.Literal('published'), Type.Literal('unpublished')], { title: 'Status', default: 'unpublished' })),
  },
  { additionalProperties: false },
);
export type SiteInput = Static<typeof SiteInput>;

/** Changes to a site: any of its fields (no defaults: what is left out stays as it is). */
export const SitePatch = Type.Partial(Type.Object(siteInputFields), { additionalProperties: false, minProperties: 1 });
export type SitePatch = Static<typeof SitePatch>;

/** A site, as the API returns it. */
export const Site = Type.Object({
  id: Id,
  slug: Type.String(),
  title: Type.String(),
  bio: Type.String(),
  avatar_url: Nullable(Type.String()),
  /** A stored image (see `avatar_file_id` of the input), shown instead of `avatar_url`. */
  avatar_file_id: Nullable(Id),
  custom_domain: Nullable(Type.String()),
  theme: Type.Record(Type.String(), Type.String()),
  seo: Type.Object({ title: Nullable(Type.String()), description: Nullable(Type.String()), image_url: Nullable(Type.String()) }),
  status: siteFields.status,
  published_at: Nullable(Timestamp),
  /** The public page's path. */
  url: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Site = Static<typeof Site>;

export const SiteQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(siteFields.status),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Matches the slug or the title' })),
});

const BlockType = Type.Union(blockTypes.map((type) => Type.Literal(type)));
const Schedule = {
  active: Type.Boolean({ title: 'Shown', description: 'Shown at all' }),
  starts_at: Type.Union([Timestamp, Type.Null()], { title: 'Shown from', description: 'None: at once' }),
  ends_at: Type.Union([Timestamp, Type.Null()], { title: 'Shown until', description: 'None: for good' }),
};
/** A new block or link is shown unless told otherwise (as the server does when `active` is left out). */
const NewActive = Type.Boolean({ title: 'Shown', description: 'Shown at all', default: true });
const Position = Type.Integer({ minimum: 0, title: 'Position', description: 'From 0 at the top; the end of the page when left out' });
const BlockData = Type.Record(Type.String(), Type.Unknown(), { title: 'Content', description: "The type's fields (see the README)", maxProperties: 10 });

/** A new block; `position` defaults to the end of the page. */
export const BlockInput = Type.Object(
  {
    type: Type.Union(
      blockTypes.map((type) => Type.Literal(type)),
      { title: 'Type' },
    ),
    data: BlockData,
    active: Type.Optional(NewActive),
    starts_at: Type.Optional(Schedule.starts_at),
    ends_at: Type.Optional(Schedule.ends_at),
    position: Type.Optional(Position),
  },
  { additionalProperties: false },
);
export type BlockInput = Static<typeof BlockInput>;

/** Changes to a block (its type stays). */
export const BlockPatch = Type.Object(
  {
    data: Type.Optional(BlockData),
    active: Type.Optional(Schedule.active),
    starts_at: Type.Optional(Schedule.starts_at),
    ends_at: Type.Optional(Schedule.ends_at),
    position: Type.Optional(Position),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type BlockPatch = Static<typeof BlockPatch>;

/** A link block, created through `/sites/:id/links`. */
export const LinkInput = Type.Object(
  {
    title: Type.String({ title: 'Title' }),
    url: Widget(Type.String({ title: 'Link', examples: ['https://'] }), 'url'),
    icon: Type.Optional(Nullable(Type.String({ title: 'Icon' }))),
    active: Type.Optional(NewActive),
    starts_at: Type.Optional(Schedule.starts_at),
    ends_at: Type.Optional(Schedule.ends_at),
    position: Type.Optional(Position),
  },
  { additionalProperties: false },
);
export type LinkInput = Static<typeof LinkInput>;

export const Block = Type.Object({
  id: Id,
  site_id: Id,
  type: BlockType,
  position: Type.Integer(),
  data: Type.Record(Type.String(), Type.Unknown()),
  active: Type.Boolean(),
  starts_at: Nullable(Timestamp),
  ends_at: Nullable(Timestamp),
  /** Whether the block is on the public page now (active and inside its schedule). */
  live: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Block = Static<typeof Block>;

export const BlockOrder = Type.Object({ ids: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }) }, { additionalProperties: false });

const shortLinkFields = {
  code: Type.Optional(Type.String({ pattern: codePattern, title: 'Code', description: 'Globally unique; generated when left out' })),
  target_url: UrlField('Target', 'Where the short link sends visitors'),
  title: Type.Optional(Type.String({ maxLength: 100, title: 'Title' })),
  active: Type.Optional(Type.Boolean({ title: 'Active' })),
};
/** A new short link: active unless told otherwise (as the server does when `active` is left out). */
export const ShortLinkInput = Type.Object(
  { ...shortLinkFields, active: Type.Optional(Type.Boolean({ title: 'Active', default: true })) },
  { additionalProperties: false },
);
export type ShortLinkInput = Static<typeof ShortLinkInput>;
export const ShortLinkPatch = Type.Partial(Type.Object(shortLinkFields), { additionalProperties: false, minProperties: 1 });
export type ShortLinkPatch = Static<typeof ShortLinkPatch>;

export const ShortLink = Type.Object({
  id: Id,
  code: Type.String(),
  target_url: Type.String(),
  title: Type.String(),
  active: Type.Boolean(),
  /** The public path: `/s/<code>`. */
  url: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ShortLink = Static<typeof ShortLink>;

export const Subscriber = Type.Object({ id: Id, site_id: Id, email: Type.String(), created_at: Timestamp });
export type Subscriber = Static<typeof Subscriber>;
