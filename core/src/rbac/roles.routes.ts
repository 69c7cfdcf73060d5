import type { CoreRoute } from '../http/route.js';

/** Routes for roles and the permission catalogue. */
export const roleRoutes: CoreRoute[] = [];
