import type { CoreRoute } from '../http/route.js';

/** Routes for invitations. */
export const invitationRoutes: CoreRoute[] = [];
