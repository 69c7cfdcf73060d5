import { addMember, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopApi, shopKernel, storeApi } from './helpers.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
let api: ReturnType<typeof shopApi>;
/** College of Science › Physics, and College of Arts. */
const units = { science: '', physics: '', arts: '' };

async function createUnit(user: TestUser, name: string, parentId?: string): Promise<string> {
  const body = { name, kind: parentId ? 'department' : 'college', ...(parentId ? { parent_id: parentId } : {}) };
  const response = await t.request('POST', '/api/v1/units', { headers: user.headers, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data.id;
}

async function setUnits(on: boolean): Promise<void> {
  expect((await t.request('PUT', '/api/v1/plugins/shop/settings', { headers: owner.headers, body: { units: on } })).status).toBe(200);
}

/** A member whose only role is `admin` in one unit (and the units below it). */
async function unitAdmin(unitId: string): Promise<TestUser> {
  const member = await addMember(t, owner, ['member']);
  expect((await t.request('PATCH', `/api/v1/members/${member.id}`, { headers: owner.headers, body: { roles: [] } })).status).toBe(200);
  const roles = (await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers })).body.data as { id: string; name: string }[];
  const admin = roles.find((role) => role.name === 'admin')!;
  const granted = await t.request('POST', `/api/v1/members/${member.id}/unit-roles`, { headers: owner.headers, body: { role_id: admin.id, unit_id: unitId } });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  return member;
}

async function product(name: string, unitId: string | null) {
  const response = await api('POST', '/products', {
    name,
    status: 'active',
    unit_id: unitId,
    variants: [{ sku: `SKU-${name.replace(/ /g, '-')}`, price: 100, stock: 5 }],
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.data.id as string, variantId: response.body.data.variants[0].id as string };
}

const names = (response: { body: { data: { name: string }[] } }) => response.body.data.map((item) => item.name).sort();

beforeAll(async () => {
  const kit = await shopKernel(2);
  t = kit.t;
  [owner, other] = kit.owners as [TestUser, TestUser];
  api = shopApi(t, owner);
  units.science = await createUnit(owner, 'College of Science');
  units.physics = await createUnit(owner, 'Physics', units.science);
  units.arts = await createUnit(owner, 'College of Arts');
});
afterAll(() => t?.close());

describe('shop products by organisation unit (opt-in)', () => {
  it('refuses a unit while the shop does not use units, and takes none', async () => {
    const refused = await api('POST', '/products', { name: 'Off mug', unit_id: units.physics });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual({ unit_id: ['this shop does not use organisation units'] });
    const plain = await api('POST', '/products', { name: 'Off mug', slug: 'off-mug', unit_id: null });
    expect(plain.status).toBe(201);
    expect(plain.body.data.unit_id).toBeNull();
    expect((await api('PATCH', `/products/${plain.body.data.id}`, { unit_id: units.arts })).status).toBe(422);
    expect((await api('GET', `/products/${plain.body.data.id}`)).body.data.unit_id).toBeNull();
  });

  it("once on, a unit's admin sees and manages only the products of their unit and the units below it", async () => {
    await setUnits(true);
    const physicsMug = await product('Physics mug', units.physics);
    const artsMug = await product('Arts mug', units.arts);
    await product('Shop mug', null);

    // The owner sees everything, and filters by a unit and those below it.
    expect(names(await api('GET', `/products?unit=${units.science}`))).toEqual(['Physics mug']);
    expect(names(await api('GET', `/products?unit=${units.arts}`))).toEqual(['Arts mug']);
    expect(names(await api('GET', '/products?q=mug&status=active'))).toEqual(['Arts mug', 'Physics mug', 'Shop mug']);

    const dean = shopApi(t, await unitAdmin(units.science));
    expect(names(await dean('GET', '/products'))).toEqual(['Physics mug']);
    expect((await dean('GET', `/products/${artsMug.id}`)).status).toBe(404);
    expect((await dean('PATCH', `/products/${artsMug.id}`, { name: 'Taken' })).status).toBe(404);
    expect((await dean('DELETE', `/products/${artsMug.id}`)).status).toBe(404);
    // Variants, stock and the ledger follow their product.
    expect((await dean('GET', `/variants/${artsMug.variantId}`)).status).toBe(404);
    expect((await dean('PATCH', `/variants/${artsMug.variantId}`, { price: 1 })).status).toBe(404);
    expect((await dean('POST', `/variants/${artsMug.variantId}/stock`, { delta: -5 })).status).toBe(404);
    expect((await dean('GET', `/variants/${artsMug.variantId}/movements`)).status).toBe(404);
    expect((await dean('DELETE', `/variants/${artsMug.variantId}`)).status).toBe(404);
    expect((await dean('POST', `/products/${artsMug.id}/variants`, { sku: 'SNEAK', price: 1 })).status).toBe(404);
    expect((await api('GET', `/products/${artsMug.id}`)).body.data).toMatchObject({ name: 'Arts mug', variants: [{ price: 100, stock: 5 }] });

    // Their own unit's product: theirs to change.
    expect((await dean('PATCH', `/products/${physicsMug.id}`, { name: 'Physics mug II' })).status).toBe(200);
    expect((await dean('POST', `/variants/${physicsMug.variantId}/stock`, { delta: 2 })).body.data.stock).toBe(7);

    // New products: in one of their units; another unit is refused by the database, no unit asked for.
    const made = await dean('POST', '/products', { name: 'Science mug', unit_id: units.science });
    expect(made.status).toBe(201);
    expect(made.body.data.unit_id).toBe(units.science);
    const elsewhere = await dean('POST', '/products', { name: 'Arts poster', unit_id: units.arts });
    expect(elsewhere.status).toBe(403);
    const nowhere = await dean('POST', '/products', { name: 'Loose poster' });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.errors).toEqual({ unit_id: ['choose one of your organisation units'] });
    // Moving their product out of their reach is refused too, and changes nothing.
    expect((await dean('PATCH', `/products/${physicsMug.id}`, { unit_id: units.arts })).status).toBe(403);
    expect((await api('GET', `/products/${physicsMug.id}`)).body.data.unit_id).toBe(units.physics);
    expect(names(await api('GET', '/products?q=poster'))).toEqual([]);
  });

  it('refuses a unit that does not exist or is another tenant’s (422)', async () => {
    const foreign = await createUnit(other, 'Other college');
    for (const unitId of [foreign, '00000000-0000-4000-8000-000000000000']) {
      const response = await api('POST', '/products', { name: 'Stray mug', unit_id: unitId });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual({ unit_id: ['unknown organisation unit'] });
    }
    expect((await api('POST', '/products', { name: 'Stray mug', unit_id: 'not-a-uuid' })).status).toBe(422);
  });

  it('keeps orders, customers, sales and the category tree for tenant-wide staff; the storefront shows every unit', async () => {
    const dean = shopApi(t, await unitAdmin(units.arts));
    for (const path of ['/orders', '/customers', '/sales']) expect((await dean('GET', path)).status, path).toBe(403);
    expect((await dean('POST', '/categories', { name: 'Arts' })).status).toBe(403);
    expect((await dean('GET', '/categories')).status).toBe(200);
    expect((await api('GET', '/orders')).status).toBe(200);

    const store = await storeApi(t, owner.tenant!.slug)('GET', '/products?q=mug');
    expect(store.status).toBe(200);
    expect(names(store)).toEqual(expect.arrayContaining(['Arts mug', 'Physics mug II', 'Shop mug']));
  });

  it("shows a unit's admin the audit entries of their units' products only", async () => {
    const dean = await unitAdmin(units.arts);
    const log = await t.request('GET', '/api/v1/audit-log?action=shop.product.&per_page=100', { headers: dean.headers });
    expect(log.status).toBe(200);
    const targets = JSON.stringify(log.body.data);
    expect(targets).toContain('Arts mug');
    expect(targets).not.toContain('Physics mug');
    expect(targets).not.toContain('Shop mug');
  });

  it('a shop turned back off refuses new units but keeps those given', async () => {
    await setUnits(false);
    const kept = (await api('GET', `/products?unit=${units.arts}`)).body.data;
    expect(names({ body: { data: kept } })).toEqual(['Arts mug']);
    expect((await api('PATCH', `/products/${kept[0].id}`, { unit_id: units.physics })).status).toBe(422);
    const cleared = await api('PATCH', `/products/${kept[0].id}`, { unit_id: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data.unit_id).toBeNull();
  });
});

describe('migration 009-add-shop-product-units', () => {
  it('rolls back (policy and column dropped, units given or not) and applies again', async () => {
    await t.checkMigrations('shop');
  });
});
