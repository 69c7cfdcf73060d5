/**
 * Forms generated from JSON Schema (plugin settings, plugin request bodies): the model lives in `fields/model.ts`
 * (pure, tested); this module adds what needs the API client (its errors).
 */
import { ApiError } from './api';
import { errorsUnder, messagesAt, placedErrorKeys, type FieldSpec } from './fields/model';

export * from './fields/model';

/** The API's field errors for `field` (also `field.0`, `field.key`), under `prefix` (`settings.`). */
export function fieldErrors(error: unknown, field: string, prefix = ''): string[] {
  if (!(error instanceof ApiError)) return [];
  return messagesAt(errorsUnder(error.errors, prefix), field);
}

/** The error keys `SchemaFields` places beside a field, nested ones included (the rest belong in the banner). */
export function placedKeys(error: unknown, fields: FieldSpec[], prefix = ''): string[] {
  if (!(error instanceof ApiError)) return [];
  return placedErrorKeys(error.errors, fields, prefix);
}
