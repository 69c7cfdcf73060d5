declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** One attempt at a webhook delivery (`manual`: a redelivery asked for by a member; it schedules no retries). */
    'integrations.webhook.deliver': { deliveryId: string; manual?: boolean };
    /** Sends one notification of the log. */
    'integrations.notification.send': { sendId: string };
    /** Reconciles WooCommerce stores through their REST API (one connection, or every enabled one). */
    'integrations.woocommerce.reconcile': { connectionId?: string };
  }
}

export {};
