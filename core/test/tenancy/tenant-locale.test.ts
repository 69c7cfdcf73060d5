import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

// The tenant's time zone, locale and default currency: set by the owner on PATCH /tenant, validated, and handed to
// plugins in `ctx.tenant`; a plugin's cron schedule runs in the tenant's time zone.
declare module '@plinth/sdk' {
  interface PlinthJobs {
    'probe.digest': Record<string, never>;
  }
}
const probePermissions = definePermissions('probe', { 'tenant.view': { description: 'See ctx.tenant', grantTo: ['admin', 'member', 'viewer'] } });
const probePlugin = definePlugin({
  name: 'probe',
  version: '1.0.0',
  title: 'Probe',
  description: 'Answers what its handler sees of the tenant',
  category: 'testing',
  requires: { core: '>=0.1.0' },
  deps: { jobs: coreServices.jobs },
  permissions: probePermissions,
  jobs: ({ job }) => [job({ name: 'probe.digest', async run() {} })],
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/tenant',
      summary: 'ctx.tenant',
      permission: probePermissions['tenant.view'],
      schema: { response: Type.Object({ slug: Type.String(), timeZone: Type.String(), locale: Type.String(), currency: Type.String() }) },
      async handler({ ctx }) {
        return { slug: ctx.tenant.slug, timeZone: ctx.tenant.timeZone, locale: ctx.tenant.locale, currency: ctx.tenant.currency };
      },
    }),
    route({
      method: 'PUT',
      path: '/digest',
      summary: 'Schedules the digest every day at 8',
      permission: probePermissions['tenant.view'],
      schema: { response: Type.Object({ scheduled: Type.Boolean() }) },
      async handler({ deps }) {
        await deps.jobs.every('probe.digest', '0 8 * * *', {});
        return { scheduled: true };
      },
    }),
  ],
});

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [probePlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  await t.enable(a, 'probe');
  await t.enable(b, 'probe');
});
afterAll(() => t?.close());

const patch = (user: TestUser, body: Record<string, unknown>) => t.request('PATCH', '/api/v1/tenant', { headers: user.headers, body });
const seen = async (user: TestUser) => (await t.request('GET', '/api/v1/probe/tenant', { headers: user.headers })).body.data;
const stored = async (user: TestUser) => {
  const { time_zone, locale, currency } = (await t.request('GET', '/api/v1/tenant', { headers: user.headers })).body.data;
  return { time_zone, locale, currency };
};

describe("the tenant's time zone, locale and currency", () => {
  it("default to UTC, 'en' and USD", async () => {
    expect(await stored(a)).toEqual({ time_zone: 'UTC', locale: 'en', currency: 'USD' });
    expect(await seen(a)).toEqual({ slug: a.tenant!.slug, timeZone: 'UTC', locale: 'en', currency: 'USD' });
  });

  it("are set by the owner, stored canonical, and seen at once in a plugin's ctx.tenant; another tenant's stay as they were", async () => {
    await seen(a); // the tenant is cached now: the change must drop it
    const response = await patch(a, { time_zone: 'Europe/Paris', locale: 'fr-fr', currency: 'EUR' });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ time_zone: 'Europe/Paris', locale: 'fr-FR', currency: 'EUR' });
    expect(await stored(a)).toEqual({ time_zone: 'Europe/Paris', locale: 'fr-FR', currency: 'EUR' });
    expect(await seen(a)).toEqual({ slug: a.tenant!.slug, timeZone: 'Europe/Paris', locale: 'fr-FR', currency: 'EUR' });

    // One field at a time leaves the others.
    expect((await patch(a, { currency: 'JPY' })).status).toBe(200);
    expect(await stored(a)).toEqual({ time_zone: 'Europe/Paris', locale: 'fr-FR', currency: 'JPY' });

    expect(await stored(b)).toEqual({ time_zone: 'UTC', locale: 'en', currency: 'USD' });
    expect(await seen(b)).toEqual({ slug: b.tenant!.slug, timeZone: 'UTC', locale: 'en', currency: 'USD' });
  });

  it.each([
    [{ time_zone: 'Mars/Olympus_Mons' }, ['time_zone']],
    [{ time_zone: 'europe/paris' }, ['time_zone']],
    [{ locale: 'en_US' }, ['locale']],
    [{ locale: '' }, ['locale']],
    [{ currency: 'usd' }, ['currency']],
    [{ currency: 'XYZ' }, ['currency']],
    [{ currency: 'EURO' }, ['currency']],
    [{ time_zone: 'Nowhere', currency: 'ABC' }, ['currency', 'time_zone']],
  ])('answer 422 naming the field for %o, changing nothing', async (body, fields) => {
    const before = await stored(b);
    const response = await patch(b, body);
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).sort()).toEqual(fields);
    expect(await stored(b)).toEqual(before);
  });

  it("run a plugin's cron schedule in the tenant's time zone, re-timed when the owner changes it", async () => {
    const digest = async () =>
      (
        await t.sql<{ repeat_timezone: string; next_run_at: Date; tenant: string }>(
          "select repeat_timezone, next_run_at, data->>'tenantId' as tenant from plinth_jobs where name = 'probe.digest' order by 3",
        )
      ).filter((row) => row.tenant === a.tenant!.id || row.tenant === b.tenant!.id);
    const localTime = (at: Date, timeZone: string) =>
      new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);

    expect((await patch(a, { time_zone: 'Asia/Tokyo' })).status).toBe(200);
    expect((await patch(b, { time_zone: 'UTC' })).status).toBe(200);
    expect((await t.request('PUT', '/api/v1/probe/digest', { headers: a.headers })).status).toBe(200);
    expect((await t.request('PUT', '/api/v1/probe/digest', { headers: b.headers })).status).toBe(200);
    const [inTokyo] = (await digest()).filter((row) => row.tenant === a.tenant!.id);
    expect(inTokyo!.repeat_timezone).toBe('Asia/Tokyo');
    expect(localTime(inTokyo!.next_run_at, 'Asia/Tokyo')).toBe('08:00');
    expect(inTokyo!.next_run_at.getUTCHours()).toBe(23); // 08:00 in Tokyo is 23:00 UTC the day before

    // The owner moves the tenant to New York: its schedule follows; B's stays in UTC.
    expect((await patch(a, { time_zone: 'America/New_York' })).status).toBe(200);
    const rows = await digest();
    const moved = rows.find((row) => row.tenant === a.tenant!.id)!;
    expect(moved.repeat_timezone).toBe('America/New_York');
    expect(localTime(moved.next_run_at, 'America/New_York')).toBe('08:00');
    const other = rows.find((row) => row.tenant === b.tenant!.id)!;
    expect(other.repeat_timezone).toBe('UTC');
    expect(localTime(other.next_run_at, 'UTC')).toBe('08:00');
    expect(rows).toHaveLength(2);
  });
});
