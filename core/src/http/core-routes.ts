import { authRoutes } from '../auth/auth.routes.js';
import { meRoutes } from '../auth/me.routes.js';
import type { CoreRoute } from './route.js';

/** Every route core serves under /api/v1, by area. */
export const coreRoutes: readonly CoreRoute[] = [...authRoutes, ...meRoutes] as CoreRoute[];
