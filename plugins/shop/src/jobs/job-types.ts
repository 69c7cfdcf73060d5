import type { OrderMail } from '../services/emails.js';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** Releases an order's stock reservation when it is still unpaid at its deadline. */
    'shop.order.expire': { orderId: string };
    /** Stores an issued invoice's PDF as a file (queued when the invoice is issued, keyed by its id). */
    'shop.invoice.store': { invoiceId: string };
    /** Sends a mail about an order: awaiting payment, receipt, staff notice of a paid order, refund (keyed by the mail). */
    'shop.order.mail': OrderMail;
  }
}

export {};
