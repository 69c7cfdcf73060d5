import { coreServices, createServiceRef, optional, type Plugin } from '@plinth/sdk';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PluginMisuseError, resolveDeps, type ScopeHost, type UnitOfWork } from '../../src/plugins/plugin-scope.js';

// What a handler's `deps` is: the plugin's dep keys as own enumerable properties, each resolved when first read in a
// unit of work and then kept for it. A provider that is absent resolves to `undefined` when optional and fails when
// read otherwise; the object is read-only.

const clock = { now: () => new Date(0) };
const absent = createServiceRef<{ ping(): void }>('nowhere.ping');
const plugin = {
  name: 'probe',
  deps: { clock: coreServices.clock, maybe: optional(absent), needed: absent },
  requires: { plugins: {}, optionalPlugins: {} },
} as unknown as Plugin;

/** A host whose only service is the clock, counting how often a unit builds it. */
function world() {
  const built = { clock: 0 };
  const host = {
    services: {
      config: { jwtSecret: 'host-secret-1234' },
      get clock() {
        built.clock += 1;
        return clock;
      },
    },
    plugins: new Map(),
    providers: new Map(),
  } as unknown as ScopeHost;
  const unit = () => ({ tenant: { id: 't1' }, db: {}, state: { settings: {} }, built: new Map() }) as unknown as UnitOfWork;
  return { built, host, unit };
}

describe('a plugin handler’s deps', () => {
  it('lists exactly the declared keys, and spreads and destructures to their services', () => {
    const { host, unit } = world();
    const deps = resolveDeps(plugin, unit(), host);
    expect(Object.keys(deps)).toEqual(['clock', 'maybe', 'needed']);
    expect('clock' in deps && 'maybe' in deps).toBe(true);
    expect('toString' in deps || 'unit' in deps || 'host' in deps).toBe(false);
    const { clock: taken, maybe } = deps;
    expect(taken).toBe(clock);
    expect(maybe).toBeUndefined();
    const { needed: _needed, ...rest } = Object.getOwnPropertyDescriptors(deps);
    expect(Object.keys(rest)).toEqual(['clock', 'maybe']);
    expect(rest.clock?.enumerable).toBe(true);
  });

  it('builds a service when it is first read, once per unit of work', () => {
    const { built, host, unit } = world();
    const first = resolveDeps(plugin, unit(), host);
    expect(Object.keys(first)).toHaveLength(3);
    expect(built.clock).toBe(0);
    expect(first.clock).toBe(clock);
    expect(first.clock).toBe(clock);
    expect(built.clock).toBe(1);
    const second = resolveDeps(plugin, unit(), host);
    expect(second.clock).toBe(clock);
    expect(built.clock).toBe(2);
  });

  it('fails on reading a service no installed plugin provides, not before', () => {
    const { host, unit } = world();
    const deps = resolveDeps(plugin, unit(), host);
    expect(() => deps.needed).toThrow(PluginMisuseError);
    expect(() => ({ ...deps })).toThrow(/nowhere\.ping, which no installed plugin provides/);
  });

  it('is read-only', () => {
    const { host, unit } = world();
    const deps = resolveDeps(plugin, unit(), host);
    expect(() => {
      deps.clock = {};
    }).toThrow(PluginMisuseError);
    expect(() => delete deps.clock).toThrow(PluginMisuseError);
    expect(() => Object.defineProperty(deps, 'extra', { value: 1 })).toThrow(PluginMisuseError);
    expect(deps.clock).toBe(clock);
  });

  it('shows its keys in a log line, never the host behind them', () => {
    const { host, unit } = world();
    const deps = resolveDeps(plugin, unit(), host);
    expect(inspect(deps, { depth: 10 })).toBe('Deps { clock, maybe, needed }');
  });
});
