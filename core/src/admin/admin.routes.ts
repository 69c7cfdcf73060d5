import type { CoreRoute } from '../http/route.js';

/** Routes for host administration (super-admins). */
export const adminRoutes: CoreRoute[] = [];
