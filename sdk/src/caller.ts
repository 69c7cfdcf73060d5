import type { Caller } from './context.js';

/**
 * The id of the user acting in a request: the signed-in user, or the user an API token belongs to; `null` for
 * anonymous callers and API tokens that belong to no user. For `actor_id` / `created_by` columns and audit.
 *
 * @example
 * ```ts
 * async handler({ body, deps, ctx }) {
 *   await deps.db.query('insert into crm_notes (body, author_id) values ($1, $2)', [body.text, actingUserId(ctx)]);
 * }
 * ```
 */
export function actingUserId(ctx: { readonly caller: Caller }): string | null {
  return ctx.caller.kind === 'anonymous' ? null : ctx.caller.userId;
}
