import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

let world: LmsWorld;
let call: Call;
beforeAll(async () => {
  world = await bootLms();
  call = world.as(world.owner);
});
afterAll(() => world?.t.close());

interface OutlineLesson {
  id: string;
  title: string;
  status: string;
  duration_seconds: number | null;
  has_quiz: boolean;
}
type Outline = { id: string; title: string; lessons: OutlineLesson[] }[];

/** The outline `GET /courses/:id` returns. */
async function served(courseId: string): Promise<Outline> {
  const response = await call('GET', `/courses/${courseId}`);
  expect(response.status).toBe(200);
  return response.body.data.modules;
}

/** The outline built afresh from the modules, lessons and quizzes as they are now. */
async function fresh(courseId: string): Promise<Outline> {
  const [row] = await world.t.sql<{ outline: Outline }>('select lms_course_outline(tenant_id, id) as outline from lms_courses where id = $1', [courseId]);
  return row!.outline;
}

/** `[module title, [lesson title, has_quiz]…]` of each module, in order. */
const shape = (outline: Outline) => outline.map((module) => [module.title, module.lessons.map((lesson) => [lesson.title, lesson.has_quiz])]);

const quiz = { title: 'Check', pass_mark: 50, questions: [{ kind: 'short', prompt: '1 + 1?', accepted_answers: ['2'] }] };

describe('the stored course outline', () => {
  it('follows every change to the modules, lessons and quizzes that it shows', async () => {
    const course = await buildCourse(call, { lessons: 2 });
    const [first, second] = course.lessonIds as [string, string];
    const steps: [string, () => Promise<unknown>, unknown[]][] = [
      [
        'nothing changed',
        async () => undefined,
        [
          [
            'Module 1',
            [
              ['Lesson 1', false],
              ['Lesson 2', false],
            ],
          ],
        ],
      ],
      [
        'a module added',
        () => call('POST', `/courses/${course.id}/modules`, { title: 'Module 2' }),
        [
          [
            'Module 1',
            [
              ['Lesson 1', false],
              ['Lesson 2', false],
            ],
          ],
          ['Module 2', []],
        ],
      ],
      [
        'a lesson renamed',
        () => call('PATCH', `/lessons/${first}`, { title: 'Intro' }),
        [
          [
            'Module 1',
            [
              ['Intro', false],
              ['Lesson 2', false],
            ],
          ],
          ['Module 2', []],
        ],
      ],
      [
        'a quiz added',
        () => call('PUT', `/lessons/${second}/quiz`, quiz),
        [
          [
            'Module 1',
            [
              ['Intro', false],
              ['Lesson 2', true],
            ],
          ],
          ['Module 2', []],
        ],
      ],
      [
        'lessons reordered',
        () => call('PUT', `/modules/${course.moduleIds[0]}/lessons/order`, { ids: [second, first] }),
        [
          [
            'Module 1',
            [
              ['Lesson 2', true],
              ['Intro', false],
            ],
          ],
          ['Module 2', []],
        ],
      ],
    ];
    for (const [step, change, expected] of steps) {
      await change();
      const outline = await served(course.id);
      expect(shape(outline), step).toEqual(expected);
      expect(outline, step).toEqual(await fresh(course.id));
    }

    const modules = await served(course.id);
    const moduleTwo = modules[1]!.id;
    const more: [string, () => Promise<unknown>, unknown[]][] = [
      [
        'a lesson moved to another module',
        () => call('PATCH', `/lessons/${first}`, { module_id: moduleTwo }),
        [
          ['Module 1', [['Lesson 2', true]]],
          ['Module 2', [['Intro', false]]],
        ],
      ],
      [
        'a module renamed',
        () => call('PATCH', `/modules/${moduleTwo}`, { title: 'Basics' }),
        [
          ['Module 1', [['Lesson 2', true]]],
          ['Basics', [['Intro', false]]],
        ],
      ],
      [
        'a quiz removed',
        () => call('DELETE', `/lessons/${second}/quiz`),
        [
          ['Module 1', [['Lesson 2', false]]],
          ['Basics', [['Intro', false]]],
        ],
      ],
      [
        'a lesson deleted',
        () => call('DELETE', `/lessons/${second}`),
        [
          ['Module 1', []],
          ['Basics', [['Intro', false]]],
        ],
      ],
      ['a module deleted with its lessons', () => call('DELETE', `/modules/${moduleTwo}`), [['Module 1', []]]],
    ];
    for (const [step, change, expected] of more) {
      const response = (await change()) as { status: number };
      expect(response.status, step).toBeLessThan(300);
      const outline = await served(course.id);
      expect(shape(outline), step).toEqual(expected);
      expect(outline, step).toEqual(await fresh(course.id));
    }
  });

  it('shows learners published lessons only, and the public catalogue their titles', async () => {
    const course = await buildCourse(call, { lessons: 2 });
    await call('PATCH', `/lessons/${course.lessonIds[1]}`, { status: 'draft', duration_seconds: 90 });
    const learner = await world.member();
    await world.as(learner)('POST', `/courses/${course.id}/enroll`);
    const seen = (await world.as(learner)('GET', `/courses/${course.id}`)).body.data.modules as Outline;
    expect(seen.map((module) => module.lessons.map((lesson) => lesson.title))).toEqual([['Lesson 1']]);
    const staff = await served(course.id);
    expect(staff[0]!.lessons.map((lesson) => [lesson.title, lesson.status, lesson.duration_seconds])).toEqual([
      ['Lesson 1', 'published', null],
      ['Lesson 2', 'draft', 90],
    ]);
  });

  it('is not rewritten when a lesson changes only in what the outline does not show', async () => {
    const course = await buildCourse(call, { lessons: 1 });
    const version = async () => (await world.t.sql<{ xmin: string }>('select xmin::text from lms_courses where id = $1', [course.id]))[0]!.xmin;
    const before = await version();
    expect((await call('PATCH', `/lessons/${course.lessonIds[0]}`, { content_html: '<p>New body</p>' })).status).toBe(200);
    expect(await version()).toBe(before);
    expect((await call('PATCH', `/lessons/${course.lessonIds[0]}`, { duration_seconds: 60 })).status).toBe(200);
    expect(await version()).not.toBe(before);
    expect((await served(course.id))[0]!.lessons[0]!.duration_seconds).toBe(60);
  });

  it('keeps both of two concurrent lesson changes in one course', async () => {
    const course = await buildCourse(call, { lessons: 2 });
    const [first, second] = course.lessonIds as [string, string];
    const clients = [new pg.Client({ connectionString: world.t.database.url }), new pg.Client({ connectionString: world.t.database.url })] as const;
    await Promise.all(clients.map((client) => client.connect()));
    try {
      const [one, two] = clients;
      await one.query('begin');
      await one.query(`update lms_lessons set title = 'First, changed' where id = $1`, [first]);
      await two.query('begin');
      // The second change waits for the first transaction's lock on the course, then reads the outline after it.
      const waiting = two.query(`update lms_lessons set title = 'Second, changed' where id = $1`, [second]);
      await expect
        .poll(async () => (await world.t.sql(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%Second, changed%'`)).length)
        .toBe(1);
      await one.query('commit');
      await waiting;
      await two.query('commit');
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(shape(await served(course.id))).toEqual([
      [
        'Module 1',
        [
          ['First, changed', false],
          ['Second, changed', false],
        ],
      ],
    ]);
  });
});
