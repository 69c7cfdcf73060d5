import type { FieldErrors } from './errors.js';

/** `meta.pagination` of a list response. */
export interface Pagination {
  page: number;
  per_page: number;
  total: number;
  total_pages: number;
}

/** `meta` of every response. */
export interface ResponseMeta {
  request_id: string;
  pagination?: Pagination;
}

/** A successful response body. */
export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  meta: ResponseMeta;
}

/** An error response body. */
export interface ErrorEnvelope {
  success: false;
  code: string;
  message: string;
  errors?: FieldErrors;
  meta: ResponseMeta;
}

/** Any response body of the Plinth HTTP API. */
export type Envelope<T> = SuccessEnvelope<T> | ErrorEnvelope;
