import type { JobDefinition } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { storeInvoiceFile } from '../services/invoices.js';

/** After an invoice is issued: render its PDF from what it said at issue and store it as the invoice's private file (retried until it is). */
export function storeInvoiceJob({ job }: Builders): JobDefinition<'shop.invoice.store', unknown, unknown> {
  return job({
    name: 'shop.invoice.store',
    // A full quota or an object store that is down takes a while to clear: retry over ~17 minutes of backoff. The
    // invoice is rendered from its snapshot meanwhile, and a run that still fails stays retryable in the admin's jobs.
    maxRetries: 10,
    async run({ payload, deps }) {
      await storeInvoiceFile(deps, payload.invoiceId);
    },
  }) as JobDefinition<'shop.invoice.store', unknown, unknown>;
}
