/** Bio sites' public contract: its events. Change it only compatibly. */

declare module '@plinth/sdk' {
  interface PlinthEvents {
    /** Aggregated, not one per click: clicks a link received in a window. */
    'bio-sites.link.clicked': { siteId: string; linkId: string; clicks: number; from: string; to: string };
    'bio-sites.site.published': { siteId: string; slug: string };
    'bio-sites.subscriber.captured': { siteId: string; email: string };
  }
}

export {};
