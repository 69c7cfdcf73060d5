import type { PluginMetrics } from '@plinth/sdk';

/** What became of one campaign mail: handed to the mailer (`sent`), or refused by it (`failed`, retried later). */
export type CampaignSendOutcome = 'sent' | 'failed';

/** Counts a campaign mail in `plinth_crm_campaign_sends_total`, by outcome. The CRM records no bounces. */
export function countCampaignSend(metrics: PluginMetrics, outcome: CampaignSendOutcome): void {
  metrics
    .counter('campaign_sends_total', { help: 'Campaign mails by outcome (sent, failed: the mailer refused it)', labels: { outcome: ['sent', 'failed'] } })
    .inc({ outcome });
}
