import { actingUserId, type AnyRoute, commonErrors, limitErrors, NoContent, PageQuery, pageWindow, paginate, Reply, Type, withStatus, Ref } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { crmPermissions as permissions } from '../permissions.js';
import { ContactFilter, pickFilter, resolveFilter } from '../services/contact-filter.js';
import { listContacts } from '../services/contact-list.js';
import { Contact } from '../services/contact-model.js';
import { mergeContacts } from '../services/contact-merge.js';
import { moveAttachments } from './attachments.routes.js';
import { ContactPatch, createContact, deleteContact, findContact, NewContact, restoreContact, updateContact } from '../services/contact-service.js';

const sorts = {
  created_at: 'c.created_at asc, c.id asc',
  '-created_at': 'c.created_at desc, c.id desc',
  updated_at: 'c.updated_at asc, c.id asc',
  '-updated_at': 'c.updated_at desc, c.id desc',
  name: 'c.name asc nulls last, c.id asc',
  '-name': 'c.name desc nulls last, c.id desc',
  email: 'lower(c.email) asc, c.id asc',
  '-email': 'lower(c.email) desc, c.id desc',
  score: 'c.score asc, c.id asc',
  '-score': 'c.score desc, c.id desc',
} as const;

const ListQuery = Type.Composite(
  [
    PageQuery,
    ContactFilter,
    Type.Object({
      sort: Type.Union(
        Object.keys(sorts).map((key) => Type.Literal(key)),
        { default: '-created_at' },
      ),
      deleted: Type.Boolean({ default: false, description: 'List the trash (deleted and merged contacts) instead' }),
    }),
  ],
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** `/api/v1/crm/contacts…`: the contact list with search, filters and sort; CRUD; merge; trash and restore. */
export function contactRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      readOnly: true,
      path: '/contacts',
      summary: 'Contacts: search (`q`), filter, sort, paginate',
      // Search runs as the user types: a generous per-user limit, against scripts looping over it.
      rateLimit: { per: 'principal', max: 300, windowSeconds: 60 },
      permission: permissions['contacts.view'],
      schema: { query: ListQuery, response: Type.Array(Contact) },
      async handler({ query, deps }) {
        const filter = await resolveFilter(deps.units, pickFilter(query), { strict: true });
        const order = sorts[query.sort as keyof typeof sorts];
        const { contacts, total } = await listContacts(deps.db, { filter, deleted: query.deleted, order, ...pageWindow(query) });
        return Reply.list(contacts, paginate(query, total));
      },
    }),
    route({
      method: 'POST',
      path: '/contacts',
      summary: 'Create a contact',
      errors: [commonErrors.conflict, limitErrors.limit_reached],
      permission: permissions['contacts.manage'],
      schema: { body: NewContact, response: withStatus(Contact, 201) },
      async handler({ body, deps, ctx }) {
        return Reply.created(await createContact({ ...deps, settings: ctx.settings }, body));
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/contacts/:id',
      summary: 'One contact',
      permission: permissions['contacts.view'],
      schema: { params: IdParams, response: Contact },
      async handler({ params, deps }) {
        return findContact(deps.db, params.id);
      },
    }),
    route({
      method: 'PATCH',
      path: '/contacts/:id',
      summary: 'Update a contact (custom fields are merged; null clears one)',
      errors: [commonErrors.conflict],
      permission: permissions['contacts.manage'],
      schema: { params: IdParams, body: ContactPatch, response: Contact },
      async handler({ params, body, deps, ctx }) {
        return updateContact({ ...deps, settings: ctx.settings }, params.id, body);
      },
    }),
    route({
      method: 'DELETE',
      path: '/contacts/:id',
      summary: 'Move a contact to the trash',
      permission: permissions['contacts.manage'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps, ctx }) {
        await deleteContact({ ...deps, settings: ctx.settings }, params.id);
        return Reply.noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/contacts/:id/restore',
      summary: 'Restore a contact from the trash',
      errors: [commonErrors.conflict, limitErrors.limit_reached],
      permission: permissions['contacts.manage'],
      schema: { params: IdParams, response: Contact },
      async handler({ params, deps, ctx }) {
        return restoreContact({ ...deps, settings: ctx.settings }, params.id);
      },
    }),
    route({
      method: 'POST',
      path: '/contacts/:id/merge',
      summary: 'Merge duplicates into this contact (their interactions and attachments move to it)',
      errors: [commonErrors.conflict],
      permission: permissions['contacts.manage'],
      schema: {
        params: IdParams,
        body: Type.Object(
          {
            duplicate_ids: Type.Array(Ref('/crm/contacts', { label: 'name', detail: 'email' }), {
              minItems: 1,
              maxItems: 20,
              uniqueItems: true,
              title: 'Duplicates',
              description: 'Contacts merged into this one',
            }),
          },
          { additionalProperties: false },
        ),
        response: Contact,
      },
      async handler({ params, body, deps, ctx }) {
        const actor = actingUserId(ctx);
        const merged = await mergeContacts({ ...deps, settings: ctx.settings }, params.id, body.duplicate_ids, actor);
        await moveAttachments(deps.files, body.duplicate_ids, params.id);
        return merged;
      },
    }),
  ];
}
