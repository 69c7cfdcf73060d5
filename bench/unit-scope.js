// Organisation units benchmark (issue 22): the cost of Row Level Security by unit on a real plugin route. `plinth
// start` in production with every first-party plugin; tenant `bench` with a tree of 1,000 units (10 colleges × 9
// departments × 10 teams) and 100 LMS courses (with modules and lessons) in teams of 50 departments. Measures the
// course read by id (`GET /lms/courses/:id`) as the owner (whole tenant: no unit scope) and as a member holding the
// `member` role in those 50 departments (reach: 550 units, carried in `app.unit_scope`), against the bare Koa + pg
// baseline, interleaved in one run. Target: scoped ≥ 0.9× unscoped. Needs `npm run build`; Linux.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createBenchItems, postgresCpu, scratchDatabase } from './lib/database.js';
import { call } from './lib/kernel.js';
import { measureAll, row, settings } from './lib/measure.js';
import { benchTenant, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo, session } from './lib/plinth-hosts.js';
import { bareTarget, startPlinth } from './lib/server.js';

const { duration, rounds, connections } = settings({ duration: 10, rounds: 3, connections: 50 });
const items = 1000;

/** 10 colleges × 9 departments × 10 teams, inserted in bulk; returns departments and teams. */
async function seedTree(databaseUrl, tenantId) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const insert = async (rows) =>
    (
      await client.query(
        `insert into org_units (tenant_id, parent_id, name, kind)
         select $1, (r->>'parent')::uuid, r->>'name', r->>'kind' from jsonb_array_elements($2::jsonb) r returning id, parent_id`,
        [tenantId, JSON.stringify(rows)],
      )
    ).rows;
  const colleges = await insert(Array.from({ length: 10 }, (_, c) => ({ parent: null, name: `College ${c}`, kind: 'college' })));
  const departments = await insert(
    colleges.flatMap((college, c) => Array.from({ length: 9 }, (_, d) => ({ parent: college.id, name: `Department ${c}.${d}`, kind: 'department' }))),
  );
  const teams = await insert(
    departments.flatMap((department, d) => Array.from({ length: 10 }, (_, t) => ({ parent: department.id, name: `Team ${d}.${t}`, kind: 'team' }))),
  );
  await client.end();
  return { departments: departments.map((unit) => unit.id), teams, total: colleges.length + departments.length + teams.length };
}

const database = await scratchDatabase('plinth_bench_units');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-units-'));
let server;
try {
  await createBenchItems(database.url, items);
  const { plinthEnv } = hostEnvironment(database.url, scratch);
  const env = plinthEnv('all', firstPartyPackages);
  server = await startPlinth({ cwd: repo, env });
  const { tenantId, headers } = await benchTenant(server, env, { members: 20 });
  await enablePlugins(
    server,
    headers,
    firstParty.filter((name) => name !== 'console'),
  );
  const tree = await seedTree(database.url, tenantId);
  const chosen = tree.departments.slice(0, 50);
  const teamsOf = new Map(chosen.map((id) => [id, tree.teams.filter((team) => team.parent_id === id).map((team) => team.id)]));

  const owner = await headers();
  const courses = [];
  for (let index = 0; index < 100; index++) {
    const unit = teamsOf.get(chosen[index % chosen.length])[index % 10];
    const course = (
      await call(server, 'POST', '/api/v1/lms/courses', { title: `Course ${index}`, slug: `course-${index}`, status: 'published', unit_id: unit }, owner)
    ).data;
    for (const number of [1, 2, 3]) {
      const module = (await call(server, 'POST', `/api/v1/lms/courses/${course.id}/modules`, { title: `Module ${number}` }, owner)).data;
      for (const lesson of [1, 2, 3, 4])
        await call(server, 'POST', `/api/v1/lms/modules/${module.id}/lessons`, { title: `Lesson ${number}.${lesson}`, status: 'published' }, owner);
    }
    courses.push(course.id);
  }

  const teacher = { email: 'teacher@example.test', password: 'teacher-password-4821' };
  const invitation = (await call(server, 'POST', '/api/v1/invitations', { email: teacher.email, roles: [] }, owner)).data;
  await call(server, 'POST', '/api/v1/invitations/accept', {
    token: new URL(invitation.accept_url).searchParams.get('token'),
    name: 'Teacher',
    password: teacher.password,
  });
  const me = (await call(server, 'GET', '/api/v1/members?q=teacher@', undefined, owner)).data[0];
  const memberRole = (await call(server, 'GET', '/api/v1/roles?per_page=100', undefined, owner)).data.find((role) => role.name === 'member');
  for (const unit of chosen) await call(server, 'POST', `/api/v1/members/${me.user_id}/unit-roles`, { role_id: memberRole.id, unit_id: unit }, owner);
  const teacherHeaders = await session(server, teacher);
  const probe = await call(server, 'GET', `/api/v1/lms/courses/${courses[0]}`, undefined, await teacherHeaders());
  if (!probe?.data?.id) throw new Error(`the scoped member cannot read a course of her units: ${JSON.stringify(probe)}`);

  const paths = courses.map((id) => `/api/v1/lms/courses/${id}`);
  let next = 0;
  const rotate = { setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) };
  const targets = [
    { label: 'bare Koa + pg, select by id (baseline)', ...bareTarget(database.url, items) },
    { label: 'lms: GET /courses/:id as the owner (whole tenant)', server, headers, request: rotate },
    { label: `lms: GET /courses/:id, roles in 50 of ${tree.total} units`, server, headers: teacherHeaders, request: rotate },
  ];
  const [bare, whole, scoped] = await measureAll(targets, { rounds, duration, connections, postgres: await postgresCpu(database.url) });
  console.log(`unit scope: ${connections} connections, ${rounds} interleaved rounds of ${duration} s (medians); ${tree.total} units, 100 courses`);
  for (const [index, result] of [bare, whole, scoped].entries()) console.log(row(targets[index].label, result, bare, { width: 52 }));
  const ratio = scoped.rps / whole.rps;
  console.log(`${ratio >= 0.9 ? 'met   ' : 'missed'}  scoped read ≥ 0.9× unscoped: ${ratio.toFixed(3)}`);
} finally {
  await server?.stop();
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
