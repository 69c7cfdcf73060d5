import { Type } from '@plinth/sdk';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

/** Metadata linking a payment to what it pays for: up to 50 string values. */
export const Metadata = Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
  title: 'Metadata',
  description: 'Your own key → value pairs, kept with the payment',
});

export const IntentStatus = Type.Union(
  ['requires_payment_method', 'requires_action', 'processing', 'succeeded', 'failed', 'cancelled', 'partially_refunded', 'refunded'].map((status) =>
    Type.Literal(status),
  ),
);

export const Intent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  provider: Type.String(),
  status: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  amount_captured: Type.Integer(),
  amount_refunded: Type.Integer(),
  description: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  next_action: Type.Union([Type.Object({ type: Type.String() }, { additionalProperties: true }), Type.Null()]),
  failure_reason: Type.Optional(Nullable(Type.String())),
  client_secret: Type.Optional(Type.String({ description: "The payer's key: only in the answer to the intent's creation" })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const Refund = Type.Object({
  id: Type.String({ format: 'uuid' }),
  intent_id: Type.String({ format: 'uuid' }),
  amount: Type.Integer(),
  currency: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  reason: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Headers are read from `ctx.headers`; this documents them. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
