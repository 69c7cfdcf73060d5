declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** Releases an order's stock reservation when it is still unpaid at its deadline. */
    'shop.order.expire': { orderId: string };
    /** Stores an issued invoice's rendered HTML as a file (queued when the invoice is issued, keyed by its id). */
    'shop.invoice.store': { invoiceId: string };
  }
}

export {};
