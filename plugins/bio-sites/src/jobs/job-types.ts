declare module '@plinth/sdk' {
  interface PlinthJobs {
    /** Rolls raw visit and click hits up into daily aggregates and emits one `bio-sites.link.clicked` per link. */
    'bio-sites.analytics.rollup': Record<string, never>;
  }
}

export {};
