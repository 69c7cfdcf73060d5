/** The pure parts of `<plinth-fields>` (tested in shared-elements.web.test.ts). */
import { ApiError } from '../api';
import type { FieldSpec } from '../fields/model';

/**
 * A failed call's error as the console's `ApiError` (what the inputs place): `plinth.call` rejects with one
 * already; an error a screen made itself with the same shape (`status`, `code`, `errors`) is taken too.
 */
export function asApiError(error: unknown): unknown {
  if (error instanceof ApiError || !error || typeof error !== 'object') return error;
  const { status, code, errors, message } = error as Partial<ApiError>;
  if (typeof status !== 'number' || !errors || typeof errors !== 'object') return error;
  return new ApiError(status, typeof code === 'string' ? code : 'error', typeof message === 'string' ? message : '', errors);
}

/** The fields to show: all of the schema's, or just `only`'s, in its order. */
export function pickFields(fields: FieldSpec[], only: readonly string[] | undefined): FieldSpec[] {
  if (!Array.isArray(only)) return fields;
  return only.flatMap((name) => fields.filter((field) => field.name === name));
}
