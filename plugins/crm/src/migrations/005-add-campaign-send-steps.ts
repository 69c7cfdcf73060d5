import { defineMigration } from '@plinth/sdk';

/** The last send step a campaign took, so a second run of a step (a retry after a crash, a re-queued job) stops at once. */
export const addCampaignSendSteps = defineMigration({
  name: '005-add-campaign-send-steps',
  async up({ db }) {
    await db.schema.alterTable('crm_campaigns', (table) => {
      table.integer('send_steps').notNullable().defaultTo(0);
    });
  },
  async down({ db }) {
    await db.schema.alterTable('crm_campaigns', (table) => {
      table.dropColumn('send_steps');
    });
  },
});
