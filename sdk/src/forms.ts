import { CloneType, Type, type IntegerOptions, type StringOptions, type TInteger, type TSchema, type TString } from '@sinclair/typebox';

/** The schema keyword naming the input a generated form shows for a field (see {@link FormWidget}). */
export const widgetKeyword = 'x-plinth-widget';
/** The schema keyword marking a field as a reference to a record of another resource (see {@link Ref}). */
export const refKeyword = 'x-plinth-ref';
/** The schema keyword naming the sibling property that holds a {@link Money} field's currency. */
export const currencyFieldKeyword = 'x-plinth-currency-field';

/**
 * Every input a generated form offers, by the `x-plinth-widget` value that asks for it. Without the keyword the
 * console infers one from the schema (`format`, `enum`, `type`); see docs/plugins/forms.md.
 *
 * - `money`: an integer in minor units, shown and typed in the tenant's currency (or the one named by
 *   `x-plinth-currency-field`).
 * - `basis-points`: an integer in hundredths of a percent, shown and typed as a percent (`1250` ⇄ `12.5 %`).
 * - `richtext`: restricted HTML, which the kernel sanitises on input (see {@link RichText}).
 * - `hidden`: not shown in forms (the API still accepts it).
 */
export const formWidgets = [
  'money',
  'basis-points',
  'date',
  'datetime',
  'color',
  'phone',
  'email',
  'url',
  'textarea',
  'richtext',
  'switch',
  'segmented',
  'select',
  'hidden',
] as const;

/** One of {@link formWidgets}. */
export type FormWidget = (typeof formWidgets)[number];

/**
 * The HTML a `richtext` field keeps: the kernel removes every other element (keeping its text, except for
 * `script`, `style` and the like, dropped whole) and every attribute but {@link richTextAttributes}; links may
 * use `http`, `https`, `mailto` or `tel`, images and video `http` or `https`.
 */
export const richTextTags = [
  'p',
  'br',
  'hr',
  'strong',
  'em',
  'u',
  's',
  'a',
  'ul',
  'ol',
  'li',
  'h2',
  'h3',
  'h4',
  'blockquote',
  'code',
  'pre',
  'img',
  'figure',
  'figcaption',
  'video',
  'source',
] as const;

/** The attributes a `richtext` field keeps, by element (lessons show images and video; course content needs them). */
export const richTextAttributes: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'title'],
  img: ['src', 'alt', 'title', 'width', 'height'],
  video: ['src', 'controls', 'width', 'height', 'poster'],
  source: ['src', 'type'],
};

/** The `x-plinth-ref` keyword's value: the resource a field points into, and how its records are shown. */
export interface RefTarget {
  /**
   * The API path of a paginated list route of the target, without `/api/v1`: `/members`, `/shop/categories`,
   * `/lms/courses`. The picker searches it and shows its items.
   */
  resource: string;
  /** The list item's property stored in the field (default `id`). */
  value?: string;
  /** The list item's property shown as the record's name (default `name`, else `title`). */
  label?: string;
  /** A secondary line under the name (e.g. `email`). */
  detail?: string;
  /** The list route's text-search query parameter (default `q`). */
  search?: string;
}

/** Options of {@link Ref}: how the target's records are read, plus the field's own schema options. */
export type RefOptions = Omit<RefTarget, 'resource'> & StringOptions;

/** Options of {@link Money}: the field's schema options, and where its currency comes from. */
export interface MoneyOptions extends IntegerOptions {
  /**
   * The sibling property holding the amount's ISO 4217 currency code (`'currency'`); without it the amount is in
   * the tenant's currency.
   */
  currencyField?: string;
}

/**
 * An amount of money in minor units (cents; yen; fils): an integer, at least 0 unless `minimum` says otherwise.
 * Forms show and take it in the currency's major unit with the currency's decimals (`1999` ⇄ `19.99 €`).
 *
 * @example
 * ```ts
 * const NewProduct = Type.Object({ price: Money({ title: 'Price', maximum: 100_000_000 }) });
 * const NewPayment = Type.Object({ amount: Money({ title: 'Amount', currencyField: 'currency' }), currency: Type.String() });
 * ```
 */
export function Money(options: MoneyOptions = {}): TInteger {
  const { currencyField, ...schemaOptions } = options;
  return Type.Integer({
    minimum: 0,
    ...schemaOptions,
    [widgetKeyword]: 'money',
    ...(currencyField === undefined ? {} : { [currencyFieldKeyword]: currencyField }),
  });
}

/**
 * A rate in basis points (hundredths of a percent): an integer from 0 to 10 000 (100 %) unless `minimum` or
 * `maximum` say otherwise. Forms show and take it as a percent (`1250` ⇄ `12.5 %`).
 *
 * @example
 * ```ts
 * const Settings = Type.Object({ tax_rate_bps: BasisPoints({ title: 'Tax rate', default: 0 }) });
 * ```
 */
export function BasisPoints(options: IntegerOptions = {}): TInteger {
  return Type.Integer({ minimum: 0, maximum: 10_000, ...options, [widgetKeyword]: 'basis-points' });
}

/**
 * The id of a record of another resource: a UUID string carrying `x-plinth-ref`, so that forms offer a searchable
 * picker showing the records' names instead of a UUID box. An array of `Ref`s is a multi-picker. The keyword is a
 * hint for forms: the route still checks that the record exists.
 *
 * @example
 * ```ts
 * const NewCourse = Type.Object({
 *   category_id: Type.Optional(Type.Union([Ref('/shop/categories', { title: 'Category' }), Type.Null()])),
 *   instructor_ids: Type.Array(Ref('/members', { value: 'user_id', label: 'name', detail: 'email' }), { title: 'Instructors' }),
 * });
 * ```
 */
export function Ref(resource: string, options: RefOptions = {}): TString {
  const { value, label, detail, search, ...schemaOptions } = options;
  const target: RefTarget = { resource };
  if (value !== undefined) target.value = value;
  if (label !== undefined) target.label = label;
  if (detail !== undefined) target.detail = detail;
  if (search !== undefined) target.search = search;
  return Type.String({ format: 'uuid', ...schemaOptions, [refKeyword]: target });
}

/**
 * Rich text: an HTML string edited with a rich-text editor. The kernel sanitises it as the request is validated,
 * keeping only {@link richTextTags} (and `href` on links, with a safe scheme), so every plugin stores clean HTML
 * without calling a sanitiser itself. Sanitising may lengthen a value (`<` in text becomes `&lt;`).
 *
 * @example
 * ```ts
 * const NewPost = Type.Object({ body: RichText({ title: 'Body', maxLength: 100_000 }) });
 * ```
 */
export function RichText(options: StringOptions = {}): TString {
  return Type.String({ ...options, [widgetKeyword]: 'richtext' });
}

/**
 * `schema` (a copy) with the input forms should show for it: `'textarea'` for long plain text, `'color'` for a
 * `#rrggbb` string, `'phone'`, `'segmented'` for a short enum, `'hidden'` for a field forms leave out… Prefer
 * {@link Money}, {@link BasisPoints} and {@link RichText} for those widgets.
 *
 * @example
 * ```ts
 * const Theme = Type.Object({
 *   background: Widget(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', title: 'Background' }), 'color'),
 *   bio: Widget(Type.String({ maxLength: 2000, title: 'Bio' }), 'textarea'),
 * });
 * ```
 */
export function Widget<T extends TSchema>(schema: T, widget: FormWidget): T {
  return CloneType(schema, { [widgetKeyword]: widget });
}
