declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** The test gateway's asynchronous webhook: signed, then verified and applied like any received webhook. */
    'payments.test-gateway.deliver': { event: Record<string, unknown> };
    /** Renews due subscriptions (and retries past-due ones) through their provider. */
    'payments.subscriptions.renew': Record<string, never>;
  }
}

export {};
