import { Ref, type RefOptions, Type } from '@plinth/sdk';

/** `:id` path parameter. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A member of the tenant by user id: forms offer a picker of members by name and email. */
export const MemberId = (options: RefOptions = {}) => Ref('/members', { value: 'user_id', label: 'name', detail: 'email', ...options });

/** An http(s) URL (no `javascript:` or `data:`). */
export const HttpUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000, title: 'Link' });

/** A new order of children: every id exactly once. */
export const OrderBody = Type.Object(
  { ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 500, uniqueItems: true }) },
  { additionalProperties: false },
);
