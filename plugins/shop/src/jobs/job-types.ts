declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** Releases an order's stock reservation when it is still unpaid at its deadline. */
    'shop.order.expire': { orderId: string };
  }
}

export {};
