import { type AnyRoute, NoContent, Reply, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { paymentsPermissions as permissions } from '../permissions.js';
import type { PaymentsOptions } from '../services/payments.js';
import { servicesFor } from './context.js';

const ProviderName = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }) });
const ProviderView = Type.Object({
  name: Type.String(),
  enabled: Type.Boolean(),
  credential_keys: Type.Array(Type.String(), { description: 'Names of the saved credentials; their values are never returned' }),
  webhook_path: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const SaveProvider = Type.Object(
  {
    credentials: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.String({ minLength: 1, maxLength: 500 }), {
        maxProperties: 20,
        title: 'Credentials',
        description: "The gateway's keys by name (e.g. secret_key); kept sealed, never shown again",
      }),
    ),
    enabled: Type.Optional(Type.Boolean({ title: 'Enabled' })),
  },
  { additionalProperties: false },
);

/** `/api/v1/payments/providers…`: the tenant's configured gateways; credentials are write-only (sealed at rest). */
export function providerRoutes({ route }: Builders, options: PaymentsOptions): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/providers',
      summary: 'Configured payment providers (never their credentials)',
      permission: permissions['settings.manage'],
      schema: { response: Type.Array(ProviderView) },
      async handler({ deps, ctx }) {
        return servicesFor(deps, ctx, options).providers.list();
      },
    }),
    route({
      method: 'GET',
      path: '/providers/:name',
      summary: 'One configured provider (never its credentials)',
      permission: permissions['settings.manage'],
      schema: { params: ProviderName, response: ProviderView },
      async handler({ params, deps, ctx }) {
        return servicesFor(deps, ctx, options).providers.get(params.name);
      },
    }),
    route({
      method: 'PUT',
      path: '/providers/:name',
      summary: 'Configure a provider: credentials are sealed and never shown again',
      permission: permissions['settings.manage'],
      schema: { params: ProviderName, body: SaveProvider, response: ProviderView },
      async handler({ params, body, deps, ctx }) {
        return servicesFor(deps, ctx, options).providers.save(params.name, body);
      },
    }),
    route({
      method: 'DELETE',
      path: '/providers/:name',
      summary: "Remove a provider's configuration",
      permission: permissions['settings.manage'],
      schema: { params: ProviderName, response: NoContent },
      async handler({ params, deps, ctx }) {
        await servicesFor(deps, ctx, options).providers.remove(params.name);
        return Reply.noContent();
      },
    }),
  ];
}
