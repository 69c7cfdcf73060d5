import type { CoreRoute } from '../http/route.js';

/** Routes for the tenant audit log. */
export const auditRoutes: CoreRoute[] = [];
