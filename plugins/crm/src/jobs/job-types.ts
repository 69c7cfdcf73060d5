declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** Applies one chunk of a CSV import (by position, from 0), then queues the next. */
    'crm.import.run': { importId: string; chunk: number };
    /** Records the outcome of the previous batch of a campaign, then claims and mails the next (`step`: its number, from 1). */
    'crm.campaign.send': { campaignId: string; step?: number; outcome?: BatchOutcome };
  }
}

/** What happened to a claimed batch of campaign recipients, carried to the next send step. */
export interface BatchOutcome {
  /** Mailed (steps queued by earlier versions; mails are now recorded one by one as they go out). */
  sent?: string[];
  /** Claimed but not attempted (the mailer failed first): back to the queue. */
  released: string[];
  /** The mailer's failure that stopped the batch, if any. */
  error?: string;
}
