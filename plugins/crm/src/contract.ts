import { createServiceRef } from '@plinth/sdk';

/** The CRM's public contract: its events and the contacts service other plugins use (bio-sites' email capture). Change it only compatibly. */

declare module '@plinth/sdk' {
  interface PlinthEvents {
    'crm.contact.created': { contactId: string; email: string; name: string | null; source: string | null };
    'crm.contact.updated': { contactId: string; email: string; changed: string[] };
    'crm.contact.deleted': { contactId: string; email: string };
    'crm.campaign.sent': { campaignId: string; name: string; recipients: number; sent: number; failed: number };
    /** A CSV import finished (imports emit this instead of one `crm.contact.created` per row). */
    'crm.import.completed': { importId: string; created: number; updated: number; skipped: number; failed: number };
  }
}

export interface ContactUpsert {
  email: string;
  name?: string;
  phone?: string;
  /** Where the contact came from: `bio-sites`, `shop`, `import`… */
  source: string;
  tags?: string[];
  /** Recorded on the contact's timeline. */
  interaction?: { type: string; subject: string; content?: string; channel?: string; occurredAt?: string };
}

/** Contacts, within the current tenant and unit of work. */
export interface CrmContactsApi {
  /**
   * Creates the contact, or updates the existing one with the same email (case-insensitive; fills blanks, adds tags).
   * Creating counts against the tenant's plan: when its contacts are all used, it throws 409 `limit_reached`
   * (an update never does). Automatic callers catch it rather than fail what they were doing (bio-sites keeps the
   * subscriber in its own list).
   */
  upsert(input: ContactUpsert): Promise<{ contactId: string; created: boolean }>;
}

export const crmContactsRef = createServiceRef<CrmContactsApi>('crm.contacts');
