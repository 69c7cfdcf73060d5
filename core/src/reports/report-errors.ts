import { defineErrors } from '@plinth/sdk';

/** The report routes' own error codes. */
export const reportErrors = defineErrors('core', {
  report_expired: { status: 410, description: "The report's file has expired and was deleted: run the report again" },
  report_not_ready: { status: 409, description: 'The report has not finished (or it failed): there is no file to download' },
});
