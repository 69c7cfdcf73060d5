import {
  bailHook,
  definePlugin,
  ValidationError,
  seriesHook,
  waterfallHook,
  type BailHook,
  type Plugin,
  type SeriesHook,
  type WaterfallHook,
} from '@plinth/sdk';
import { describe, expect, it } from 'vitest';
import { createPluginHooks, PluginFailure } from '../../src/plugins/plugin-hooks.js';
import type { ScopeHost, UnitOfWork } from '../../src/plugins/plugin-scope.js';

declare module '@plinth/sdk' {
  interface PlinthHooks {
    'offer.greeting.series': SeriesHook<{ calls: string[] }>;
    'offer.price.bail': BailHook<{ sku: string }, number>;
    'offer.text.waterfall': WaterfallHook<string, { suffix: string }>;
  }
}

const offer = definePlugin({
  name: 'offer',
  version: '1.0.0',
  title: 'Offer',
  description: 'Offers one hook of each kind',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  hooks: {
    'offer.greeting.series': seriesHook<{ calls: string[] }>(),
    'offer.price.bail': bailHook<{ sku: string }, number>(),
    'offer.text.waterfall': waterfallHook<string, { suffix: string }>(),
  },
});

/** A plugin tapping every hook: it records its calls, prices only `sku` `own`, and appends its name; `fail` makes it throw. */
function tapper(name: string, fail = false): Plugin {
  return definePlugin({
    name,
    version: '1.0.0',
    title: name,
    description: name,
    category: 'testing',
    requires: { core: '>=0.1.0', optionalPlugins: { offer: '*' } },
    taps: ({ tap }) => [
      tap('offer.greeting.series', ({ calls }) => {
        if (fail) throw new Error(`${name} refuses`);
        calls.push(name);
      }),
      tap('offer.price.bail', ({ sku }) => {
        if (sku === `${name}-refused`) throw new ValidationError({ sku: ['is not sold here'] });
        return sku === name ? 42 : undefined;
      }),
      tap('offer.text.waterfall', (text, { suffix }, { ctx }) => `${text}+${name}${suffix}${(ctx.settings as { mark?: string }).mark ?? ''}`),
    ],
  });
}

const unitWith = (enabled: Record<string, Record<string, unknown>>): UnitOfWork =>
  ({ tenant: { id: 't', slug: 't', name: 'T' }, db: undefined, state: { version: 1, settings: enabled }, built: new Map() }) as unknown as UnitOfWork;

function hooksOf(plugins: Plugin[]) {
  const failures: PluginFailure[] = [];
  const host = { plugins: new Map(plugins.map((plugin) => [plugin.name, plugin])), providers: new Map() } as unknown as ScopeHost;
  return {
    runtime: createPluginHooks(
      plugins,
      () => host,
      (failure) => failures.push(failure),
    ),
    failures,
  };
}

describe('hook kinds', () => {
  const { runtime, failures } = hooksOf([offer, tapper('first'), tapper('second'), tapper('broken', true)]);
  const all = unitWith({ offer: {}, first: { mark: '!' }, second: {}, broken: {} });

  it('series: runs every enabled tap, in order, and skips the disabled ones', async () => {
    const calls: string[] = [];
    await runtime.call('offer.greeting.series', [{ calls }], unitWith({ offer: {}, first: {}, second: {} }));
    expect(calls).toEqual(['first', 'second']);
    const some: string[] = [];
    await runtime.call('offer.greeting.series', [{ calls: some }], unitWith({ offer: {}, second: {} }));
    expect(some).toEqual(['second']);
  });

  it('bail: stops at the first tap that answers, passing over taps that are disabled or answer nothing', async () => {
    expect(await runtime.call('offer.price.bail', [{ sku: 'second' }], all)).toBe(42);
    expect(await runtime.call('offer.price.bail', [{ sku: 'second' }], unitWith({ offer: {}, first: {} }))).toBeUndefined();
    expect(await runtime.call('offer.price.bail', [{ sku: 'nobody' }], all)).toBeUndefined();
  });

  it('waterfall: threads the value through the enabled taps, each with its own tenant settings', async () => {
    expect(await runtime.call('offer.text.waterfall', ['x', { suffix: '.' }], all)).toBe('x+first.!+second.+broken.');
    expect(await runtime.call('offer.text.waterfall', ['x', { suffix: '' }], unitWith({ offer: {} }))).toBe('x');
  });

  it('a throwing tap fails the call with a PluginFailure naming its plugin, reported once', async () => {
    const calls: string[] = [];
    const failed = runtime.call('offer.greeting.series', [{ calls }], all);
    await expect(failed).rejects.toBeInstanceOf(PluginFailure);
    await expect(failed).rejects.toMatchObject({ plugin: 'broken', kind: 'hook', message: 'plugin `broken` failed in a hook: broken refuses' });
    expect(failures.map((failure) => failure.plugin)).toEqual(['broken']);
    expect(calls).toEqual(['first', 'second']);
  });

  it("a tap refusing with the SDK's errors reaches the caller as that error, not as a failure", async () => {
    const before = failures.length;
    const refused = runtime.call('offer.price.bail', [{ sku: 'second-refused' }], all);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ status: 422, errors: { sku: ['is not sold here'] } });
    expect(failures).toHaveLength(before);
  });

  it('refuses a call to a hook no installed plugin offers; taps on it are ignored', async () => {
    await expect(runtime.call('absent.hook', [{}], all)).rejects.toThrow('no installed plugin offers the hook absent.hook');
    const { runtime: withoutOffer } = hooksOf([tapper('first')]);
    await expect(withoutOffer.call('offer.price.bail', [{ sku: 'first' }], all)).rejects.toThrow('no installed plugin offers the hook offer.price.bail');
  });
});
