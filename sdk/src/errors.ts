/**
 * The error catalogue shared by the kernel and every plugin.
 *
 * Throw one of these from a route handler, service or hook and the kernel turns
 * it into the HTTP envelope `{ success: false, code, message, errors }` with the
 * matching status. Any other thrown value becomes `500 internal_error`, and its
 * message never reaches the client.
 *
 * @example
 * ```ts
 * if (!contact) throw new NotFoundError('Contact not found');
 * throw new ValidationError({ email: ['must be a valid email'] });
 * ```
 */

/** Field path → messages, as in the envelope's `errors`. */
export type FieldErrors = Record<string, string[]>;

/** Options every Plinth error accepts. */
export interface PlinthErrorOptions {
  /** Stable snake_case code; defaults to the class's code. */
  code?: string;
  /** Field errors, keyed by field path. */
  errors?: FieldErrors;
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  /** The underlying error, kept for logs only. */
  cause?: unknown;
  /**
   * The message in other languages, by language (`{ ar: 'الفاتورة غير موجودة' }`): the kernel answers the one the
   * request's `Accept-Language` asks for; `code` never changes.
   */
  translations?: Readonly<Record<string, string>>;
}

/** Base class: an error whose status, code and message are safe to show the client. */
export class PlinthError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldErrors | undefined;
  readonly headers: Record<string, string>;
  /** The message in other languages, by language (see {@link PlinthErrorOptions.translations}). */
  readonly translations: Readonly<Record<string, string>> | undefined;
  /** True: the message is written for the client. */
  readonly expose = true;

  constructor(status: number, code: string, message: string, options: PlinthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = options.code ?? code;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.translations = options.translations;
  }
}

/** 400 `bad_request`: the request itself is malformed (bad JSON, bad header). */
export class BadRequestError extends PlinthError {
  constructor(message = 'Bad request', options?: PlinthErrorOptions) {
    super(400, 'bad_request', message, options);
  }
}

/** 401 `unauthenticated`: no valid credentials. */
export class UnauthenticatedError extends PlinthError {
  constructor(message = 'Authentication required', options?: PlinthErrorOptions) {
    super(401, 'unauthenticated', message, options);
  }
}

/** 403 `forbidden`: authenticated, but not allowed. */
export class ForbiddenError extends PlinthError {
  constructor(message = 'Forbidden', options?: PlinthErrorOptions) {
    super(403, 'forbidden', message, options);
  }
}

/** 404 `not_found`: missing, or belonging to another tenant. */
export class NotFoundError extends PlinthError {
  constructor(message = 'Not found', options?: PlinthErrorOptions) {
    super(404, 'not_found', message, options);
  }
}

/** 409 `conflict`: the request clashes with the current state (duplicate, stale, out of stock). */
export class ConflictError extends PlinthError {
  constructor(message = 'Conflict', options?: PlinthErrorOptions) {
    super(409, 'conflict', message, options);
  }
}

/** 413 `payload_too_large`. */
export class PayloadTooLargeError extends PlinthError {
  constructor(message = 'Payload too large', options?: PlinthErrorOptions) {
    super(413, 'payload_too_large', message, options);
  }
}

/** 415 `unsupported_media_type`. */
export class UnsupportedMediaTypeError extends PlinthError {
  constructor(message = 'Unsupported media type', options?: PlinthErrorOptions) {
    super(415, 'unsupported_media_type', message, options);
  }
}

/** 422 `validation_failed`, with per-field messages. */
export class ValidationError extends PlinthError {
  constructor(errors: FieldErrors, message = 'Validation failed', options?: PlinthErrorOptions) {
    super(422, 'validation_failed', message, { ...options, errors });
  }
}

/** 429 `rate_limited`, with `Retry-After` in seconds. */
export class RateLimitedError extends PlinthError {
  constructor(retryAfterSeconds: number, message = 'Too many requests', options?: PlinthErrorOptions) {
    const retryAfter = String(Math.max(1, Math.ceil(retryAfterSeconds)));
    super(429, 'rate_limited', message, { ...options, headers: { ...options?.headers, 'Retry-After': retryAfter } });
  }
}

/**
 * 503 `service_unavailable`: a dependency (the database) is down. With
 * `retryAfterSeconds`, the answer carries `Retry-After`.
 *
 * @example
 * ```ts
 * throw new ServiceUnavailableError('The mail server is unreachable', { retryAfterSeconds: 30 });
 * ```
 */
export class ServiceUnavailableError extends PlinthError {
  constructor(message = 'Service unavailable', options?: PlinthErrorOptions & { retryAfterSeconds?: number }) {
    const { retryAfterSeconds, ...rest } = options ?? {};
    const headers = retryAfterSeconds === undefined ? rest.headers : { ...rest.headers, 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
    super(503, 'service_unavailable', message, { ...rest, headers });
  }
}

/**
 * True for errors whose status, code and message may be sent to the client.
 * Checked by shape, not `instanceof`, so a plugin bundling its own copy of the
 * SDK still gets its 404s and 422s answered as such.
 */
export function isPlinthError(error: unknown): error is PlinthError {
  if (error instanceof PlinthError) return true;
  const candidate = error as Partial<PlinthError> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.expose === true &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 600 &&
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string'
  );
}

/** An error code a route may answer, as the OpenAPI document lists it. */
export interface ErrorRef {
  /** Stable snake_case code, sent as the envelope's `code`. */
  readonly code: string;
  /** The HTTP status it is sent with. */
  readonly status: number;
  /** One line for the OpenAPI document: when the code is sent. */
  readonly description: string;
}

/** How a catalogue entry is declared: its status and when it is sent. */
export interface ErrorSpec {
  status: number;
  description: string;
  /** The description in other languages (`{ ar: '…' }`), answered by `Accept-Language` when it is the message. */
  translations?: Readonly<Record<string, string>>;
}

/** A catalogue entry: callable to build the error, and readable as an {@link ErrorRef}. */
export interface CatalogueError<Code extends string = string> extends ErrorRef {
  (message?: string, options?: Omit<PlinthErrorOptions, 'code'>): PlinthError;
  readonly code: Code;
  /** The plugin (or `core`) whose catalogue holds the code. */
  readonly owner: string;
}

/** A plugin's error catalogue: one entry per code. */
export type ErrorCatalogue<Specs extends Record<string, ErrorSpec>> = { readonly [Code in keyof Specs & string]: CatalogueError<Code> };

const codePattern = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Names a plugin's error codes once, in its `src/errors.ts`. Each entry throws
 * as a {@link PlinthError} with its status and code (the message defaults to
 * the description), and is listed in a route's `errors` so the OpenAPI document
 * shows what the route can answer. Codes are snake_case; statuses 4xx, or 503
 * for a service the plugin depends on being down (other 5xx are the kernel's).
 *
 * @example
 * ```ts
 * export const shopErrors = defineErrors('shop', {
 *   out_of_stock: { status: 409, description: 'A variant has fewer units than asked for' },
 * });
 * throw shopErrors.out_of_stock(`Not enough stock of ${sku}`, { errors: { [`variants.${id}`]: ['out of stock'] } });
 * // with `translations: { ar: '…' }` beside the description, `shopErrors.out_of_stock()` answers Arabic to `Accept-Language: ar`
 * // in the route: errors: [shopErrors.out_of_stock]
 * ```
 */
export function defineErrors<const Specs extends Record<string, ErrorSpec>>(owner: string, specs: Specs): ErrorCatalogue<Specs> {
  const catalogue: Record<string, CatalogueError> = {};
  for (const [code, spec] of Object.entries(specs)) {
    if (!codePattern.test(code)) throw new Error(`${owner} errors: code "${code}" must be snake_case`);
    if (!Number.isInteger(spec.status) || ((spec.status < 400 || spec.status > 499) && spec.status !== 503)) {
      throw new Error(`${owner} errors: ${code} has status ${spec.status}; a catalogued error is a 4xx, or 503 for a dependency that is down`);
    }
    if (!spec.description.trim()) throw new Error(`${owner} errors: ${code} needs a description`);
    const { status, description, translations } = spec;
    const build = (message?: string, options?: Omit<PlinthErrorOptions, 'code'>) =>
      new PlinthError(status, code, message ?? description, message === undefined && translations ? { translations, ...options } : options);
    catalogue[code] = Object.freeze(Object.assign(build, { code, status, description, owner }));
  }
  return Object.freeze(catalogue) as ErrorCatalogue<Specs>;
}

/**
 * The codes of the error classes above, for listing in a route's `errors`
 * when a handler throws one the kernel does not already derive from the route
 * (say `conflict` from a `ConflictError`, or `not_found` on a route without
 * path parameters). Throw the classes; declare these.
 */
export const commonErrors = {
  bad_request: { code: 'bad_request', status: 400, description: 'The request is malformed' },
  unauthenticated: { code: 'unauthenticated', status: 401, description: 'No valid credentials' },
  forbidden: { code: 'forbidden', status: 403, description: 'Authenticated, but not allowed' },
  not_found: { code: 'not_found', status: 404, description: 'Not found, or not visible to this tenant' },
  conflict: { code: 'conflict', status: 409, description: 'The request clashes with the current state' },
  payload_too_large: { code: 'payload_too_large', status: 413, description: 'The body is larger than the route accepts' },
  unsupported_media_type: { code: 'unsupported_media_type', status: 415, description: 'The body has a media type the route does not accept' },
  validation_failed: { code: 'validation_failed', status: 422, description: 'The input does not match the schema; `errors` names the fields' },
  rate_limited: { code: 'rate_limited', status: 429, description: 'Too many requests; retry after `Retry-After` seconds' },
} as const satisfies Record<string, ErrorRef>;
