import { listPage, type AnyRoute, NoContent, NotFoundError, PageQuery, paginate, Reply, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { IdParams, Subscriber } from '../model/schemas.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { findSite } from '../services/sites.js';

type SubscriberRow = { id: string; site_id: string; email: string; created_at: Date };
const toSubscriber = (row: SubscriberRow): Subscriber => ({ ...row, created_at: row.created_at.toISOString() });

/** `/api/v1/bio-sites/sites/:id/subscribers…`: addresses captured by a site's form while the CRM is not enabled. */
export function subscriberRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/sites/:id/subscribers',
      summary: "The site's subscribers, newest first (kept here when the CRM is not enabled)",
      permission: permissions['subscribers.manage'],
      schema: { params: IdParams, query: PageQuery, response: Type.Array(Subscriber) },
      async handler({ params, query, deps }) {
        await findSite(deps.db, params.id);
        const { items, total } = await listPage<SubscriberRow>(
          deps.db,
          {
            select: 'id, site_id, email, created_at',
            from: 'bio_sites_subscribers',
            where: 'site_id = $1',
            orderBy: 'created_at desc, id',
            values: [params.id],
          },
          query,
        );
        return Reply.list(items.map(toSubscriber), paginate(query, total));
      },
    }),
    route({
      method: 'DELETE',
      path: '/sites/:id/subscribers/:subscriberId',
      summary: 'Remove a subscriber (an unsubscribe or erasure request)',
      permission: permissions['subscribers.manage'],
      schema: {
        params: Type.Object({ id: Type.String({ format: 'uuid' }), subscriberId: Type.String({ format: 'uuid' }) }),
        response: NoContent,
      },
      async handler({ params, deps }) {
        const [removed] = await deps.db.query<SubscriberRow>(
          'delete from bio_sites_subscribers where site_id = $1 and id = $2 returning id, site_id, email, created_at',
          [params.id, params.subscriberId],
        );
        if (!removed) throw new NotFoundError('Subscriber not found');
        await deps.audit.record({ entity: 'subscriber', verb: 'deleted', target: removed.id, before: { ...removed }, redact: ['email'] });
        return Reply.noContent();
      },
    }),
  ];
}
