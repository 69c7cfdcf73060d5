import type {} from '@plinth/plugin-shop';
import { pagePath } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsMessages } from '../pages/messages.js';
import { coursesSold } from '../services/course-lines.js';

/**
 * Tap of the shop's `shop.order.access`: for each course a paid order's lines sell, the receipt gets a link
 * "Start <course>" (in the tenant's language) to the course's learning page, `/c/<tenant>/learn/<courseId>`
 * (the shop wraps it in a sign-in link for the buyer). Reads only.
 */
export function orderAccessTap({ tap }: Builders) {
  return tap('shop.order.access', async (access, _context, { deps, ctx }) => {
    const courses = await coursesSold(deps.db, access.order.lines);
    if (!courses.length) return access;
    const t = lmsMessages.translator(ctx.tenant.locale);
    const links = courses.map((course) => ({
      lineId: course.lineId,
      label: t('start', { title: course.title }),
      path: pagePath(ctx.tenant.slug, `/learn/${course.id}`),
    }));
    return { ...access, links: [...access.links, ...links] };
  });
}
