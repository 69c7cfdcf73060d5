import { type AnyRoute, ForbiddenError } from '@plinth/sdk';

/**
 * A route over what belongs to the whole shop (orders, customers, sales, the category tree), answered only to
 * callers holding its permission for the whole tenant: a role held in an organisation unit gives none of it. These
 * tables have no unit, so Row Level Security cannot narrow them, and an order may mix several units' products:
 * without this check, a college's admin would read every buyer of the tenant.
 */
export function tenantWide(route: AnyRoute): AnyRoute {
  return {
    ...route,
    async handler(input) {
      if (!input.ctx.units.whole) {
        const permission = route.permission ? `${route.permission.name} ` : '';
        throw new ForbiddenError(`This belongs to the whole shop: it needs ${permission}for the whole tenant, not in organisation units only`);
      }
      return route.handler(input);
    },
  };
}
