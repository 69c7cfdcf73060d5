/** Integrations' public contract: its events. Change it only compatibly. */

declare module '@plinth/sdk' {
  interface PlinthEvents {
    /** A generic inbound webhook arrived on one of the tenant's inbound URLs. */
    'integrations.inbound.received': { sourceId: string; sourceName: string; receivedId: string; contentType: string | null; payload: unknown };
    'integrations.endpoint.disabled': { endpointId: string; url: string; reason: string };
  }
}

export {};
