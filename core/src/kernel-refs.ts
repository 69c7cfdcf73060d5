import { createServiceRef, type ServiceRef } from '@plinth/sdk';
import type { KernelServices } from './kernel.js';

/** A ref to one of the kernel's services, as a core route lists it in `deps` (id `kernel.<name>`). */
export interface KernelRef<K extends keyof KernelServices = keyof KernelServices> extends ServiceRef<KernelServices[K]> {
  /** The service's name in {@link KernelServices}. */
  readonly service: K;
}

/** A core route's `deps`: kernel refs under the names its handler uses. */
export type KernelDepRefs = Record<string, KernelRef>;

/**
 * One ref per kernel service. The list of names is typed as exactly the keys of `KernelServices`: a service added
 * to (or removed from) the interface without its name here does not compile.
 */
export const kernelRefs: { readonly [K in keyof KernelServices]-?: KernelRef<K> } = refsFor({
  config: true,
  logger: true,
  database: true,
  cache: true,
  jobs: true,
  metrics: true,
  mailer: true,
  secretBox: true,
  accessTokens: true,
  identity: true,
  tenants: true,
  tenantAccess: true,
  supportAccess: true,
  orgUnits: true,
  apiTokenAuth: true,
  rateLimiter: true,
  writeBehind: true,
  plugins: true,
  permissionCatalogue: true,
  publicUrl: true,
  clock: true,
  httpClient: true,
  storage: true,
  files: true,
  notificationStream: true,
  entitlements: true,
  billing: true,
});

function refsFor(names: { readonly [K in keyof KernelServices]-?: true }): { readonly [K in keyof KernelServices]-?: KernelRef<K> } {
  return Object.fromEntries(Object.keys(names).map((name) => [name, { ...createServiceRef(`kernel.${name}`), service: name }])) as never;
}

/**
 * The services a route's `deps` names, from the kernel's. Resolved once, when the route is mounted; a ref that is
 * not a kernel service's stops the boot, naming it.
 */
export function resolveKernelDeps(deps: KernelDepRefs | undefined, services: KernelServices, where: string): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(deps ?? {})) {
    if (ref.id !== `kernel.${ref.service}` || !(ref.service in services)) {
      throw new Error(`${where} lists \`${name}\` in its deps, which is not a kernel service (use \`kernelRefs\`)`);
    }
    resolved[name] = services[ref.service];
  }
  return Object.freeze(resolved);
}
