import type { CoreRoute } from '../http/route.js';

/** Routes for members and their roles. */
export const memberRoutes: CoreRoute[] = [];
