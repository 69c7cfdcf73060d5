import type { HookSpec, Plugin } from '@plinth/sdk';
import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable';
import type { ScopeHost, UnitOfWork } from './plugin-scope.js';
import { resolveDeps } from './plugin-scope.js';

/** An error thrown inside a plugin's hook tap, event handler or job: it names the plugin. */
export class PluginFailure extends Error {
  override name = 'PluginFailure';
  constructor(
    readonly plugin: string,
    readonly kind: 'route' | 'hook' | 'event' | 'job',
    cause: unknown,
  ) {
    super(`plugin \`${plugin}\` failed in a ${kind}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

type AnyHook =
  AsyncSeriesHook<[unknown, UnitOfWork]> | AsyncSeriesWaterfallHook<[unknown, unknown, UnitOfWork]> | AsyncSeriesBailHook<[unknown, UnitOfWork], unknown>;

/** Offered hooks as tapable hooks; every tap is named after its plugin and runs only for tenants that enabled that plugin. */
export interface PluginHooksRuntime {
  call(name: string, args: unknown[], unit: UnitOfWork): Promise<unknown>;
}

/** Hooks the kernel offers plugins (declared in the SDK's `PlinthHooks`): `core.notification.send` sends SMS and WhatsApp. */
export const kernelHooks: Readonly<Record<string, HookSpec>> = { 'core.notification.send': { kind: 'bail' } };

export function createPluginHooks(plugins: readonly Plugin[], host: () => ScopeHost, onFailure: (failure: PluginFailure) => void): PluginHooksRuntime {
  const hooks = new Map<string, { spec: HookSpec; hook: AnyHook }>();
  for (const offered of [kernelHooks, ...plugins.map((plugin) => plugin.hooks)]) {
    for (const [name, spec] of Object.entries(offered)) {
      const hook =
        spec.kind === 'waterfall'
          ? new AsyncSeriesWaterfallHook<[unknown, unknown, UnitOfWork]>(['value', 'context', 'unit'], name)
          : spec.kind === 'bail'
            ? new AsyncSeriesBailHook<[unknown, UnitOfWork], unknown>(['args', 'unit'], name)
            : new AsyncSeriesHook<[unknown, UnitOfWork]>(['args', 'unit'], name);
      hooks.set(name, { spec, hook });
    }
  }
  for (const plugin of plugins) {
    for (const tap of plugin.taps) {
      const entry = hooks.get(tap.hook);
      if (!entry) continue; // the offering plugin is not installed: nothing to tap
      const fn = tap.fn as (...args: unknown[]) => unknown;
      const scopeOf = (unit: UnitOfWork) => ({
        deps: resolveDeps(plugin, unit, host()),
        ctx: { tenant: unit.tenant, settings: unit.state.settings[plugin.name] ?? {} },
      });
      const guarded = async (unit: UnitOfWork, run: () => unknown) => {
        try {
          return await run();
        } catch (error) {
          if ((error as { expose?: boolean } | null | undefined)?.expose) throw error; // the SDK's 4xx errors: a tap refusing, not failing
          const failure = new PluginFailure(plugin.name, 'hook', error);
          onFailure(failure);
          throw failure;
        }
      };
      if (entry.spec.kind === 'waterfall') {
        (entry.hook as AsyncSeriesWaterfallHook<[unknown, unknown, UnitOfWork]>).tapPromise(plugin.name, async (value, context, unit) =>
          plugin.name in unit.state.settings ? guarded(unit, () => fn(value, context, scopeOf(unit))) : value,
        );
      } else {
        (entry.hook as AsyncSeriesHook<[unknown, UnitOfWork]>).tapPromise(plugin.name, async (args, unit) =>
          plugin.name in unit.state.settings ? (guarded(unit, () => fn(args, scopeOf(unit))) as Promise<void>) : undefined,
        );
      }
    }
  }
  return {
    async call(name, args, unit) {
      const entry = hooks.get(name);
      if (!entry) throw new Error(`no installed plugin offers the hook ${name}`);
      if (entry.spec.kind === 'waterfall') return (entry.hook as AsyncSeriesWaterfallHook<[unknown, unknown, UnitOfWork]>).promise(args[0], args[1], unit);
      return (entry.hook as AsyncSeriesHook<[unknown, UnitOfWork]>).promise(args[0], unit);
    },
  };
}
