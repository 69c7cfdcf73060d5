import type { CoreRoute } from '../http/route.js';

/** Routes for creating tenants and the current tenant. */
export const tenantRoutes: CoreRoute[] = [];
