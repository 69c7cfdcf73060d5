import { type AnyRoute, NoContent, NotFoundError, PageQuery, pageWindow, paginate, Reply, type Static, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { helloPermissions as permissions } from '../permissions.js';

const Greeting = Type.Object({ id: Type.String({ format: 'uuid' }), message: Type.String(), author_id: Type.Union([Type.String(), Type.Null()]) });
type Greeting = Static<typeof Greeting>;
const GreetingParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** `/api/v1/hello/…`: the tenant's greeting, and the wall of greetings. */
export function greetingRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/greeting',
      summary: "The tenant's greeting, in its own salutation",
      permission: permissions['greetings.view'],
      schema: { response: Type.Object({ text: Type.String() }) },
      async handler({ ctx }) {
        return { text: `${ctx.settings.salutation}, ${ctx.tenant.name}!` };
      },
    }),
    route({
      method: 'GET',
      path: '/greetings',
      summary: 'The wall, newest first',
      permission: permissions['greetings.view'],
      schema: { query: PageQuery, response: Type.Array(Greeting) },
      async handler({ query, deps }) {
        const { limit, offset } = pageWindow(query);
        const rows = await deps.db.query<Greeting>('select id, message, author_id from hello_greetings order by created_at desc, id limit $1 offset $2', [
          limit,
          offset,
        ]);
        const [count] = await deps.db.query<{ total: number }>('select count(*)::int as total from hello_greetings');
        return Reply.list(rows, paginate(query, count?.total ?? 0));
      },
    }),
    route({
      method: 'POST',
      path: '/greetings',
      summary: 'Post a greeting on the wall',
      permission: permissions['greetings.manage'],
      schema: {
        body: Type.Object({ message: Type.String({ minLength: 1, maxLength: 280 }) }, { additionalProperties: false }),
        response: withStatus(Greeting, 201),
      },
      async handler({ body, deps, ctx }) {
        const author = ctx.caller.kind === 'anonymous' ? null : ctx.caller.userId;
        const [greeting] = await deps.db.query<Greeting>('insert into hello_greetings (message, author_id) values ($1, $2) returning id, message, author_id', [
          body.message,
          author,
        ]);
        await deps.events.emit('hello.greeting.posted', { greetingId: greeting!.id, message: greeting!.message });
        return Reply.created(greeting!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/greetings/:id',
      summary: 'Remove a greeting',
      permission: permissions['greetings.manage'],
      schema: { params: GreetingParams, response: NoContent },
      async handler({ params, deps }) {
        const [removed] = await deps.db.query('delete from hello_greetings where id = $1 returning id', [params.id]);
        if (!removed) throw new NotFoundError('Greeting not found');
        return Reply.noContent();
      },
    }),
  ];
}
