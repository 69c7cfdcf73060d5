import type { CoreRoute } from '../http/route.js';

/** Routes for password forgot/reset. */
export const passwordRoutes: CoreRoute[] = [];
