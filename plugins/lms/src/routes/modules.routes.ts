import { type AnyRoute, NoContent, NotFoundError, Reply, type Static, type Stored, type TenantDb, Timestamp, toJson, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { lmsPermissions as permissions } from '../permissions.js';
import { managedCourse } from '../services/access.js';
import { reorder } from '../services/reorder.js';
import { IdParams, OrderBody } from '../services/schemas.js';
import { deleteLessonsFiles } from '../services/lesson-files.js';

const ModuleBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 200, title: 'Title' }) }, { additionalProperties: false });
const Module = Type.Object({
  id: Type.String({ format: 'uuid' }),
  course_id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  position: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
type ModuleRow = Stored<Static<typeof Module>, 'created_at' | 'updated_at'>;
const moduleColumns = 'id, course_id, title, position, created_at, updated_at';

/** The course a module belongs to (404 when there is no such module). */
export async function courseOfModule(db: TenantDb, moduleId: string): Promise<string> {
  const row = await db.one<{ course_id: string }>('select course_id from lms_modules where id = $1', [moduleId]);
  if (!row) throw new NotFoundError('Module not found');
  return row.course_id;
}

/** `/courses/:id/modules`, `/modules/:id`: a course's modules (staff and the course's instructors). */
export function moduleRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'POST',
      path: '/courses/:id/modules',
      summary: 'Add a module at the end of a course',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: ModuleBody, response: withStatus(Module, 201) },
      async handler({ params, body, deps, ctx }) {
        const course = await managedCourse(deps.db, ctx, params.id);
        const [module] = await deps.db.query<ModuleRow>(
          `insert into lms_modules (course_id, title, position)
           values ($1, $2, (select coalesce(max(position), 0) + 1 from lms_modules where course_id = $1)) returning ${moduleColumns}`,
          [params.id, body.title],
        );
        await deps.audit.record({ entity: 'module', verb: 'created', target: module!.id, unit: course.unit_id, after: module! });
        return Reply.created(toJson(module!));
      },
    }),
    route({
      method: 'PUT',
      path: '/courses/:id/modules/order',
      summary: 'Reorder a course’s modules (every module id, in the new order)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: OrderBody, response: Type.Array(Module) },
      async handler({ params, body, deps, ctx }) {
        const course = await managedCourse(deps.db, ctx, params.id);
        await reorder(deps, 'lms_modules', 'course_id', params.id, body.ids, course.unit_id);
        return toJson(await deps.db.query<ModuleRow>(`select ${moduleColumns} from lms_modules where course_id = $1 order by position`, [params.id]));
      },
    }),
    route({
      method: 'PATCH',
      path: '/modules/:id',
      summary: 'Rename a module',
      permission: permissions['learning.access'],
      schema: { params: IdParams, body: ModuleBody, response: Module },
      async handler({ params, body, deps, ctx }) {
        const course = await managedCourse(deps.db, ctx, await courseOfModule(deps.db, params.id));
        const before = await deps.db.one<ModuleRow>(`select ${moduleColumns} from lms_modules where id = $1 for update`, [params.id]);
        const module = await deps.db.one<ModuleRow>(`update lms_modules set title = $2, updated_at = now() where id = $1 returning ${moduleColumns}`, [
          params.id,
          body.title,
        ]);
        await deps.audit.record({ entity: 'module', verb: 'updated', target: params.id, unit: course.unit_id, before: before!, after: module! });
        return toJson(module!);
      },
    }),
    route({
      method: 'DELETE',
      path: '/modules/:id',
      summary: 'Delete a module and its lessons (with their stored files)',
      permission: permissions['learning.access'],
      schema: { params: IdParams, response: NoContent },
      async handler({ params, deps, ctx }) {
        const course = await managedCourse(deps.db, ctx, await courseOfModule(deps.db, params.id));
        await deleteLessonsFiles(deps, 'l.module_id = $1', [params.id]);
        const [removed] = await deps.db.query<ModuleRow>(`delete from lms_modules where id = $1 returning ${moduleColumns}`, [params.id]);
        await deps.audit.record({ entity: 'module', verb: 'deleted', target: params.id, unit: course.unit_id, before: removed! });
        return Reply.noContent();
      },
    }),
  ];
}
