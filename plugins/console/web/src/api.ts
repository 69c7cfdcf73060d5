/**
 * The console's only way to the API: the `/api/v1` envelope, the session's tokens and the tenant header.
 *
 * Tokens: the short-lived access token lives in memory only (a script injected into the page could read
 * storage, and a reload simply refreshes it); the refresh token lives in `sessionStorage`, so a reload or
 * a new page of the same tab stays signed in, closing the tab ends the session, and other tabs (and other
 * sites) never see it. Refreshing is single-flight: the API revokes the whole token family when a spent
 * refresh token is presented twice, so two concurrent 401s must share one refresh.
 * Every request names the console's language (`Accept-Language`), so the API answers its messages in it.
 */
import { currentLanguage, defineMessages } from './i18n';

const t = defineMessages({
  en: {
    notJson: 'The server answered {status} without JSON',
    failed: 'Request failed ({status})',
    downloadFailed: 'Download failed ({status})',
    offline: 'The server cannot be reached; check your connection and try again.',
  },
  ar: {
    notJson: 'ردّ الخادم بالرمز {status} دون JSON',
    failed: 'تعذّر تنفيذ الطلب ({status})',
    downloadFailed: 'تعذّر التنزيل ({status})',
    offline: 'تعذّر الوصول إلى الخادم؛ تحقّق من اتصالك وحاول مرة أخرى.',
  },
});

export interface Pagination {
  page: number;
  per_page: number;
  total: number;
  total_pages: number;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** An error answer of the API: its `code`, `message` and `errors` per field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

const refreshKey = 'plinth.refresh_token';
let accessToken: string | undefined;
let refreshing: Promise<boolean> | undefined;
const signedOutListeners = new Set<() => void>();

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Tenant slug sent as `X-Tenant`. */
  tenant?: string | undefined;
  /** Skip the bearer token (sign-in, sign-up). */
  anonymous?: boolean;
}

/** A decoded success answer. */
export interface Answer<T> {
  data: T;
  pagination?: Pagination;
  status: number;
}

/** Calls `/api/v1<path>`; throws `ApiError` on an error answer, refreshing the session once on a 401. */
export async function call<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  // After a reload only the refresh token is left: trade it first rather than collect a 401.
  if (!accessToken && !options.anonymous && sessionStorage.getItem(refreshKey)) await refreshSession();
  let response = await send(method, path, options);
  if (response.status === 401 && !options.anonymous && sessionStorage.getItem(refreshKey)) {
    if (await refreshSession()) response = await send(method, path, options);
  }
  if (response.status === 204) return { data: undefined as T, status: 204 };
  const text = await response.text();
  let decoded: { success?: boolean; data?: T; code?: string; message?: string; errors?: Record<string, string[]>; meta?: { pagination?: Pagination } };
  try {
    decoded = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(response.status, 'bad_response', t('notJson', { status: response.status }));
  }
  if (!response.ok || decoded.success === false) {
    if (response.status === 401 && !options.anonymous) signOutLocally();
    throw new ApiError(response.status, decoded.code ?? 'error', decoded.message ?? t('failed', { status: response.status }), decoded.errors ?? {});
  }
  return { data: decoded.data as T, pagination: decoded.meta?.pagination, status: response.status };
}

/** Downloads a non-JSON answer (a CSV export) as the signed-in user: the file's bytes and its suggested name. */
export async function download(path: string, options: RequestOptions = {}): Promise<{ blob: Blob; filename: string | undefined }> {
  if (!accessToken && sessionStorage.getItem(refreshKey)) await refreshSession();
  let response = await send('GET', path, options);
  if (response.status === 401 && (await refreshSession())) response = await send('GET', path, options);
  if (!response.ok) {
    const decoded = (await response.json().catch(() => ({}))) as { code?: string; message?: string; errors?: Record<string, string[]> };
    throw new ApiError(response.status, decoded.code ?? 'error', decoded.message ?? t('downloadFailed', { status: response.status }), decoded.errors ?? {});
  }
  const filename = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  return { blob: await response.blob(), filename };
}

/**
 * The headers that authorise a request as the signed-in user (bearer token, `X-Tenant`), for the few requests
 * `call` cannot make (an upload that reports its progress); after a reload, the refresh token is traded first.
 */
export async function sessionHeaders(tenant?: string): Promise<Record<string, string>> {
  if (!accessToken && sessionStorage.getItem(refreshKey)) await refreshSession();
  return {
    'accept-language': currentLanguage(),
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    ...(tenant ? { 'x-tenant': tenant } : {}),
  };
}

/** The `ApiError` of an error answer's body (the envelope), or of its status alone when it is not JSON. */
export function errorOfAnswer(status: number, text: string): ApiError {
  let decoded: { code?: string; message?: string; errors?: Record<string, string[]> } = {};
  try {
    decoded = text ? JSON.parse(text) : {};
  } catch {
    // A proxy's HTML page, say: the status still says what happened.
  }
  return new ApiError(status, decoded.code ?? 'error', decoded.message ?? t('failed', { status }), decoded.errors ?? {});
}

/** `call` that returns only the data. */
export async function get<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await call<T>('GET', path, options)).data;
}

function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, text/csv;q=0.9, */*;q=0.5', 'accept-language': currentLanguage() };
  if (accessToken && !options.anonymous) headers.authorization = `Bearer ${accessToken}`;
  if (options.tenant) headers['x-tenant'] = options.tenant;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`/api/v1${path}${queryString(options.query)}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

/** `?a=1&b=x` of the defined, non-empty values. */
export function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Keeps a new session's tokens (after sign-in, sign-up or accepting an invitation). */
export function startSession(tokens: Tokens): void {
  accessToken = tokens.access_token;
  sessionStorage.setItem(refreshKey, tokens.refresh_token);
}

/** Whether this tab holds a session (possibly only its refresh token, after a reload). */
export function hasSession(): boolean {
  return accessToken !== undefined || sessionStorage.getItem(refreshKey) !== null;
}

/** Trades the refresh token for a new pair; false (and signed out) when it no longer works. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = sessionStorage.getItem(refreshKey);
    if (!refreshToken) return false;
    try {
      const { data } = await call<Tokens>('POST', '/auth/refresh', { body: { refresh_token: refreshToken }, anonymous: true });
      startSession(data);
      return true;
    } catch {
      signOutLocally();
      return false;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** Ends the session on the server and here. */
export async function signOut(): Promise<void> {
  const refreshToken = sessionStorage.getItem(refreshKey);
  if (refreshToken) await call('POST', '/auth/logout', { body: { refresh_token: refreshToken }, anonymous: true }).catch(() => undefined);
  signOutLocally();
}

function signOutLocally(): void {
  const wasSignedIn = hasSession();
  accessToken = undefined;
  sessionStorage.removeItem(refreshKey);
  if (wasSignedIn) for (const listener of signedOutListeners) listener();
}

/** Called when the session ends (sign-out, or a refresh token the API refused). */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** A message fit for a person, from whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return t('offline');
  return error instanceof Error ? error.message : String(error);
}
