import type { CoreRoute } from '../http/route.js';

/** Routes for tenant API tokens. */
export const apiTokenRoutes: CoreRoute[] = [];
