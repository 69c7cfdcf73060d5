/**
 * What the web console hands a plugin's screens: the types a plugin's custom elements are written against
 * (`import type { ConsoleContext } from '@plinth/sdk/web'`). Types only: the console supplies the values.
 * See docs/plugins/console-screens.md.
 */

/** An error answer of the API, as `call` rejects with it. */
export interface ConsoleApiError extends Error {
  readonly status: number;
  /** API.md's machine-readable code: `validation_failed`, `not_found`, `conflict`… */
  readonly code: string;
  /** Messages per field path (`variants.1.price`), in the user's language. */
  readonly errors: Record<string, string[]>;
}

/** A decoded success answer of the API. */
export interface ConsoleAnswer<T> {
  data: T;
  pagination?: { page: number; per_page: number; total: number; total_pages: number };
  status: number;
}

export interface ConsoleCallOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Another tenant's slug; the screen's tenant by default. */
  tenant?: string;
}

/** A stored file, as `POST /api/v1/files` answers it. */
export interface ConsoleStoredFile {
  id: string;
  name: string;
  content_type: string;
  size: number;
  visibility: 'public' | 'private';
  width: number | null;
  height: number | null;
  variants: Record<string, { content_type: string; size: number }>;
}

export interface ConsoleUploadOptions {
  /** `public` (the default): served to anyone with the link (images on public pages); `private`: members only. */
  visibility?: 'public' | 'private';
  onProgress?(sent: number, total: number): void;
  signal?: AbortSignal;
}

/**
 * The `plinth` property the console sets on a plugin's element before inserting it. The console makes a new
 * element (with a new context) when the screen's URL, the tenant or the language changes.
 */
export interface ConsoleContext {
  tenant: {
    slug: string;
    name: string;
    /** ISO 4217: money without a currency of its own is in it. */
    currency: string;
    /** IANA zone: instants are shown in it. */
    timeZone: string;
    /** BCP 47. */
    locale: string;
  };
  /** The console's language (`en`, `ar`) and direction: the element's root has `lang` and `dir` set. */
  language: string;
  dir: 'ltr' | 'rtl';
  /** The screen's URL query (`?id=…`): a screen linked from a record gets the route's parameters here. */
  params: Record<string, string>;
  /** Calls `/api/v1<path>` as the user, in this tenant; rejects with a {@link ConsoleApiError}. */
  call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options?: ConsoleCallOptions): Promise<ConsoleAnswer<T>>;
  /** Downloads a non-JSON answer (a CSV report) and offers it to the user as a file. */
  download(path: string, options?: Pick<ConsoleCallOptions, 'query'>): Promise<void>;
  /** Whether the user holds a permission (`shop.products.manage`) in this tenant. */
  can(permission: string): boolean;
  /**
   * `english` in the console's language from the plugin's `translations` (the English when missing), with ICU
   * message syntax for `values`: `t('{count, plural, one {# view} other {# views}}', { count })`.
   */
  t(english: string, values?: Record<string, string | number | Date>): string;
  /** Formats in the console's language and the tenant's currency and zone. */
  format: {
    /** Minor units (cents) → `€12.50`; the tenant's currency when none is given. */
    money(minor: number, currency?: string): string;
    number(value: number): string;
    /** Basis points (1250) → `12.5%`. */
    percent(basisPoints: number): string;
    /** An ISO date (`2026-12-06`) or instant, as a date. */
    date(iso: string): string;
    /** An ISO instant in the tenant's zone. */
    dateTime(iso: string): string;
    bytes(bytes: number): string;
  };
  /** Digits after the decimal point of a currency (EUR 2, JPY 0, KWD 3). */
  currencyDigits(currency?: string): number;
  /**
   * A console URL inside the tenant for `<a href>` (the console follows such links without reloading):
   * `href('/p/shop/orders/123')` (a generated page), `href('/w/lms/lms-course-builder?id=…')` (a plugin screen).
   */
  href(path: string): string;
  /** Goes to a console path inside the tenant (as {@link href} takes it). */
  navigate(path: string, options?: { replace?: boolean }): void;
  /** Uploads a file to the files service as the user; rejects with a {@link ConsoleApiError} (413, 415…). */
  upload(file: File, options?: ConsoleUploadOptions): Promise<ConsoleStoredFile>;
  /** Where the browser can load a file (an image's `src`); `variant`: `thumb`, `medium`, `webp`. */
  fileUrl(id: string, variant?: string): string;
  /** The host's public URL of a path (`/c/<tenant>/…`, `/b/<site>`): what buyers and visitors open. */
  publicUrl(path: string): string;
  /**
   * The JSON Schema of a route's request body (`bodySchema('POST', '/shop/products')`), with its `x-plinth-*`
   * annotations, from the OpenAPI document: give it to `<plinth-fields>` to get the console's typed inputs.
   */
  bodySchema(method: 'POST' | 'PUT' | 'PATCH', path: string): Promise<Record<string, unknown> | undefined>;
  /** Says something to the user in the console's status area (and to screen readers). */
  announce(message: string, kind?: 'success' | 'error'): void;
}

/** A plugin's element as the console mounts it. */
export interface ConsoleElement {
  plinth?: ConsoleContext;
}
