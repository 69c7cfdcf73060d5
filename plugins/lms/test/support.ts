import { addMember, createTestKernel, signUp, type TestKernel, type TestResponse, type TestUser } from '@plinth/core/testing';
import type { Plugin } from '@plinth/sdk';
import lms from '../src/plugin.js';

/** Calls `/api/v1/lms…` as a user. */
export type Call = (method: string, path: string, body?: unknown) => Promise<TestResponse>;

export interface LmsWorld {
  t: TestKernel;
  owner: TestUser;
  as(user: TestUser): Call;
  /** A new member with the given roles in the owner's tenant. */
  member(roles?: string[]): Promise<TestUser>;
}

/** A kernel with LMS (and `extra` plugins) and one tenant with LMS enabled. */
export async function bootLms(extra: Plugin[] = []): Promise<LmsWorld> {
  const t = await createTestKernel({ plugins: [lms, ...extra] });
  const owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'lms');
  const as =
    (user: TestUser): Call =>
    (method, path, body) =>
      t.request(method, `/api/v1/lms${path}`, { headers: user.headers, body });
  return { t, owner, as, member: (roles = ['member']) => addMember(t, owner, roles) };
}

/** A second tenant with LMS enabled. */
export async function otherTenant(world: LmsWorld): Promise<TestUser> {
  const user = await signUp(world.t, { tenant: true });
  await world.t.enable(user, 'lms');
  return user;
}

export interface BuiltCourse {
  id: string;
  moduleIds: string[];
  lessonIds: string[];
}

let counter = 0;

/** A course (published unless told otherwise) with one module and `lessons` published lessons. */
export async function buildCourse(
  call: Call,
  options: { status?: string; lessons?: number; course?: Record<string, unknown>; lesson?: Record<string, unknown> } = {},
): Promise<BuiltCourse> {
  const course = await call('POST', '/courses', {
    title: `Course ${++counter}`,
    slug: `course-${counter}-${Date.now()}`,
    status: options.status ?? 'published',
    ...options.course,
  });
  if (course.status !== 201) throw new Error(`course: ${course.status} ${JSON.stringify(course.body)}`);
  const module = await call('POST', `/courses/${course.body.data.id}/modules`, { title: 'Module 1' });
  const lessonIds: string[] = [];
  for (let index = 0; index < (options.lessons ?? 2); index++) {
    const lesson = await call('POST', `/modules/${module.body.data.id}/lessons`, {
      title: `Lesson ${index + 1}`,
      status: 'published',
      content_html: `<p>Body ${index + 1}</p>`,
      ...options.lesson,
    });
    if (lesson.status !== 201) throw new Error(`lesson: ${lesson.status} ${JSON.stringify(lesson.body)}`);
    lessonIds.push(lesson.body.data.id);
  }
  return { id: course.body.data.id, moduleIds: [module.body.data.id], lessonIds };
}

/** Events of a name stored for a tenant, oldest first. */
export async function eventsNamed<P = Record<string, unknown>>(t: TestKernel, tenantId: string, name: string): Promise<P[]> {
  const rows = await t.sql<{ payload: P }>('select payload from plinth_events where tenant_id = $1 and name = $2 order by created_at, id', [tenantId, name]);
  return rows.map((row) => row.payload);
}
