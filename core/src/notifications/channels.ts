import type { ChannelMessage, ChannelSent } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';
import type { KernelServices } from '../kernel.js';
import type { UnitOfWork } from '../plugins/plugin-scope.js';
import { tenantInfo, type Tenant } from '../tenancy/tenant-directory.js';

/** The kernel-offered hook plugins tap to send SMS and WhatsApp messages. */
export const sendHook = 'core.notification.send';

/**
 * Asks the tenant's plugins to send an SMS or WhatsApp message (`core.notification.send`, taps of the plugins the
 * tenant enabled), in the transaction `db`. Undefined when no tap answered: the tenant has no such channel.
 */
export async function sendThroughChannel(
  services: Pick<KernelServices, 'plugins'>,
  tenant: Tenant,
  db: ScopedDb,
  message: ChannelMessage,
): Promise<ChannelSent | undefined> {
  const state = await services.plugins.tenantPlugins.state(tenant.id);
  const unit: UnitOfWork = { tenant: tenantInfo(tenant), db, state, built: new Map() };
  const answer = (await services.plugins.hooks.call(sendHook, [message], unit)) as ChannelSent | undefined | null;
  return answer ?? undefined;
}
