import { Type } from '@plinth/sdk';

/** `:id` of a resource. */
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** An event name, a prefix (`shop.*`) or `*`. */
export const EventPattern = Type.String({ pattern: '^(\\*|[a-z0-9][a-z0-9-]*(\\.[a-z0-9_-]+)*(\\.\\*)?)$', maxLength: 200 });

/** An exact event name (`shop.order.paid`). */
export const EventName = Type.String({ pattern: '^[a-z0-9][a-z0-9-]*(\\.[a-z0-9_-]+)+$', maxLength: 200 });

/** Nullable string. */
export const NullableString = Type.Union([Type.String(), Type.Null()]);
