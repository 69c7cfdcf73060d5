import type { CoreRoute } from '../http/route.js';

/** Routes for custom domains. */
export const domainRoutes: CoreRoute[] = [];
