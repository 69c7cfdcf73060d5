// Type tests: every `@ts-expect-error` line must fail to compile (`npx tsc -p tsconfig.test.json` checks it; an
// unneeded @ts-expect-error is itself an error). The runtime assertions check what defineRoute builds.
import { commonErrors, definePermissions, Type } from '@plinth/sdk';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { kernelRefs, resolveKernelDeps } from '../../src/kernel-refs.js';
import type { KernelServices } from '../../src/kernel.js';
import { defineRoute, type Principal, type UserPrincipal } from '../../src/http/route.js';
import { corePermissions, corePermissionList } from '../../src/rbac/permissions.js';
import type { Tenant } from '../../src/tenancy/tenant-directory.js';
import type { TenantDirectory } from '../../src/tenancy/tenant-directory.js';

const common = { method: 'GET', path: '/x', summary: 'x', errors: [] } as const;

describe('defineRoute', () => {
  it('takes permissions as refs, never as strings', () => {
    const route = defineRoute({ ...common, permission: corePermissions['tenant.view'], handler: async () => ({}) });
    expect(route.access).toEqual({ permission: corePermissions['tenant.view'] });
    // @ts-expect-error -- a permission named by a string
    defineRoute({ ...common, permission: 'core.tenant.view', handler: async () => ({}) });
    // @ts-expect-error -- two access kinds at once
    defineRoute({ ...common, permission: corePermissions['tenant.view'], public: true, handler: async () => ({}) });
  });

  it("types the tenant and caller from the route's access", () => {
    defineRoute({
      ...common,
      permission: corePermissions['tenant.view'],
      async handler({ tenant, principal }) {
        expectTypeOf(tenant).toEqualTypeOf<Tenant>();
        expectTypeOf(principal).toEqualTypeOf<Principal>();
        return tenant.id;
      },
    });
    defineRoute({
      ...common,
      member: true,
      async handler({ tenant }) {
        expectTypeOf(tenant).toEqualTypeOf<Tenant>();
        return {};
      },
    });
    defineRoute({
      ...common,
      user: true,
      async handler(input) {
        expectTypeOf(input.principal).toEqualTypeOf<UserPrincipal>();
        // @ts-expect-error -- a user route has no tenant
        return input.tenant;
      },
    });
    defineRoute({
      ...common,
      public: true,
      async handler(input) {
        // @ts-expect-error -- a tenant-less public route has no caller
        return input.principal;
      },
    });
    defineRoute({
      ...common,
      public: true,
      tenant: true,
      async handler({ tenant, principal }) {
        expectTypeOf(tenant).toEqualTypeOf<Tenant>();
        expectTypeOf(principal).toEqualTypeOf<Principal | undefined>();
        return {};
      },
    });
  });

  it('gives the handler the deps it declares, typed, and no others', () => {
    defineRoute({
      ...common,
      member: true,
      deps: { tenants: kernelRefs.tenants },
      async handler({ deps }) {
        expectTypeOf(deps.tenants).toEqualTypeOf<TenantDirectory>();
        // @ts-expect-error -- not a declared dep
        return deps.mailer;
      },
    });
  });

  it('puts the response schema in `schema` and types the inputs from it', () => {
    const Params = Type.Object({ id: Type.String() });
    const route = defineRoute({
      ...common,
      path: '/x/:id',
      superAdmin: true,
      schema: { params: Params, response: Type.String() },
      async handler({ params }) {
        expectTypeOf(params).toEqualTypeOf<{ id: string }>();
        return params.id;
      },
    });
    expect(route.access).toEqual({ superAdmin: true });
    expect(route.schema?.response).toBeDefined();
  });

  it("types the handler's answer from the response schema, timestamps as ISO strings", () => {
    const Stamped = Type.Object({ at: Type.String({ format: 'date-time' }) });
    defineRoute({ ...common, user: true, schema: { response: Stamped }, handler: async () => ({ at: new Date().toISOString() }) });
    // @ts-expect-error -- a Date where the schema promises a string
    defineRoute({ ...common, user: true, schema: { response: Stamped }, handler: async () => ({ at: new Date() }) });
    // @ts-expect-error -- a field the schema does not have, and the one it has missing
    defineRoute({ ...common, user: true, schema: { response: Stamped }, handler: async () => ({ when: 'now' }) });
  });

  it('requires the error codes a route answers, `[]` for none', () => {
    const route = defineRoute({ ...common, user: true, errors: [commonErrors.conflict], handler: async () => ({}) });
    expect(route.errors).toEqual([commonErrors.conflict]);
    const { errors: _none, ...undeclared } = common;
    // @ts-expect-error -- no `errors`
    defineRoute({ ...undeclared, user: true, handler: async () => ({}) });
  });

  it("reads a public route's tenant source", () => {
    expect(defineRoute({ ...common, public: true, handler: async () => ({}) }).access).toEqual({ public: true });
    expect(defineRoute({ ...common, public: true, tenant: true, handler: async () => ({}) }).access).toEqual({ public: true, tenant: true });
    expect(defineRoute({ ...common, public: true, tenantParam: 'tenant', handler: async () => ({}) }).access).toEqual({
      public: true,
      tenant: { param: 'tenant' },
    });
  });
});

describe('kernel refs', () => {
  it('name each kernel service as kernel.<name>', () => {
    expect(kernelRefs.tenants.id).toBe('kernel.tenants');
    for (const [name, ref] of Object.entries(kernelRefs)) expect(ref).toMatchObject({ id: `kernel.${name}`, service: name });
  });

  it("resolve a route's deps from the kernel's services, refusing a ref that is not a kernel service's", () => {
    const tenants = {} as TenantDirectory;
    const services = { tenants } as KernelServices;
    expect(resolveKernelDeps({ directory: kernelRefs.tenants }, services, 'route GET /x')).toEqual({ directory: tenants });
    expect(resolveKernelDeps(undefined, services, 'route GET /x')).toEqual({});
    const foreign = { id: 'crm.contacts', service: 'tenants' } as unknown as typeof kernelRefs.tenants;
    expect(() => resolveKernelDeps({ contacts: foreign }, services, 'route GET /x')).toThrow(
      'route GET /x lists `contacts` in its deps, which is not a kernel service (use `kernelRefs`)',
    );
  });
});

describe("core's permissions", () => {
  it('are a permission set of refs, listed for the catalogue in declaration order', () => {
    expect(corePermissions['tenant.view']).toEqual({
      name: 'core.tenant.view',
      description: 'View the tenant and its settings',
      grantTo: ['admin', 'member', 'viewer'],
    });
    expect(corePermissionList.map((permission) => permission.name)).toEqual([
      'core.tenant.view',
      'core.tenant.manage',
      'core.members.view',
      'core.members.manage',
      'core.roles.view',
      'core.roles.manage',
      'core.units.view',
      'core.units.manage',
      'core.api-tokens.view',
      'core.api-tokens.manage',
      'core.audit.view',
      'core.plugins.view',
      'core.plugins.manage',
      'core.billing.view',
      'core.billing.manage',
      'core.jobs.view',
      'core.files.view',
      'core.files.upload',
      'core.files.manage',
      'core.notifications.manage',
      'core.reports.schedule',
      'core.reports.manage',
      'core.support.manage',
      'core.sso.manage',
    ]);
    // A plugin's set and core's are one type: routes of either take the same refs.
    expectTypeOf(corePermissions['tenant.view']).toEqualTypeOf(definePermissions('crm', { 'contacts.view': { description: 'x' } })['contacts.view']);
  });
});
