import type { CoreRoute } from '../http/route.js';

/** Routes for TOTP two-factor setup, enable and disable. */
export const twoFactorRoutes: CoreRoute[] = [];
