import { isPlinthError, type LimitDefinitions, type TenantDb } from '@plinth/sdk';

/** The key of the CRM's one plan limit: the tenant's live contacts (`crm.contacts` in a plan). */
export const contactsLimit = 'contacts';

/** The tenant's live contacts (the trash does not count: restoring one counts it again). */
export async function countContacts(db: TenantDb): Promise<number> {
  const row = await db.one<{ n: string }>('select count(*) as n from crm_contacts where deleted_at is null');
  return Number(row!.n);
}

/** The CRM's plan limits (`definePlugin({ limits })`). */
export const crmLimits: LimitDefinitions = {
  [contactsLimit]: { label: 'Contacts', usage: ({ db }) => countContacts(db) },
};

/** Whether `error` is the plan's `limit_reached` refusal (automatic paths catch it rather than fail their caller). */
export function isLimitReached(error: unknown): boolean {
  return isPlinthError(error) && error.code === 'limit_reached';
}
