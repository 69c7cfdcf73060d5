import type { ChannelMessage, ChannelSent } from './notifications.js';

/**
 * Hooks are synchronous extension points inside a unit of work that a plugin
 * offers others: `series` runs every tap in order; `waterfall` passes a value
 * through every tap (each returns the new value); `bail` stops at the first
 * tap that returns something other than `undefined`. The offering plugin
 * declares the hook's types by declaration merging:
 *
 * @example
 * ```ts
 * declare module '@plinth/sdk' {
 *   interface PlinthHooks {
 *     'shop.order.totals': WaterfallHook<OrderTotals, { orderId: string }>;
 *   }
 * }
 * ```
 */
export interface PlinthHooks {
  /**
   * Offered by the kernel: sends a notification's SMS or WhatsApp message through a channel the tenant set up
   * in a plugin (integrations taps it). The first tap that sends answers; none answering means the tenant has no
   * such channel, and the delivery is recorded as skipped. Throw to have it retried.
   */
  'core.notification.send': BailHook<ChannelMessage, ChannelSent>;
}

/** Every tap runs, in order, with the same arguments. */
export interface SeriesHook<Args> {
  readonly kind: 'series';
  readonly __args?: Args;
}
/** Each tap receives the previous tap's value and returns the next. */
export interface WaterfallHook<Value, Context = undefined> {
  readonly kind: 'waterfall';
  readonly __value?: Value;
  readonly __context?: Context;
}
/** Taps run in order until one returns a value. */
export interface BailHook<Args, Result> {
  readonly kind: 'bail';
  readonly __args?: Args;
  readonly __result?: Result;
}

export type HookSpec = SeriesHook<unknown> | WaterfallHook<unknown, unknown> | BailHook<unknown, unknown>;

/** A known hook name. */
export type HookName = keyof PlinthHooks & string;

type Spec<K extends HookName> = PlinthHooks[K];

/** The arguments of calling hook `K`. */
export type HookCallArgs<K extends HookName> =
  Spec<K> extends WaterfallHook<infer V, infer C>
    ? [value: V, context: C]
    : Spec<K> extends SeriesHook<infer A>
      ? [args: A]
      : Spec<K> extends BailHook<infer A, unknown>
        ? [args: A]
        : never;

/** What calling hook `K` resolves to. */
export type HookCallResult<K extends HookName> =
  Spec<K> extends WaterfallHook<infer V, unknown>
    ? V
    : Spec<K> extends BailHook<unknown, infer R>
      ? R | undefined
      : Spec<K> extends SeriesHook<unknown>
        ? void
        : never;

/**
 * The function a tap of hook `K` provides. Its last argument is the tapping
 * plugin's own scope (its deps and settings, for the tenant of the call).
 */
export type HookTapFn<K extends HookName, Scope = unknown> =
  Spec<K> extends WaterfallHook<infer V, infer C>
    ? (value: V, context: C, scope: Scope) => Promise<V> | V
    : Spec<K> extends SeriesHook<infer A>
      ? (args: A, scope: Scope) => Promise<void> | void
      : Spec<K> extends BailHook<infer A, infer R>
        ? (args: A, scope: Scope) => Promise<R | undefined> | R | undefined
        : never;

/** Declares an offered series hook. */
export function seriesHook<Args>(): SeriesHook<Args> {
  return { kind: 'series' };
}
/** Declares an offered waterfall hook. */
export function waterfallHook<Value, Context = undefined>(): WaterfallHook<Value, Context> {
  return { kind: 'waterfall' };
}
/** Declares an offered bail hook. */
export function bailHook<Args, Result>(): BailHook<Args, Result> {
  return { kind: 'bail' };
}
