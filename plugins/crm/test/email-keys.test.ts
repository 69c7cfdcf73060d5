import { planAsTenant, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactColumns } from '../src/services/contact-model.js';
import { crmCall, crmKernel } from './helpers.js';

// Under forced row-level security PostgreSQL will not use an index on `lower(email)` for the application role
// (`lower` is not leakproof), so emails are matched through the stored `email_key` (migration 009). These tests
// read the plans the application role gets, with enough rows that a scan would show, and check the behaviour the
// keys serve: case-insensitive uniqueness, upserts and the unsubscribed flag.
let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;

/** The plan of a statement as the application role in the owner's tenant. */
const planOf = (text: string, values: (string | boolean)[]) => planAsTenant(t, owner.tenant!.id, text, values);

beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
  // Enough rows that a scan costs more than an index probe.
  await t.sql(
    `insert into crm_unsubscribes (tenant_id, email) select $1, 'gone' || g || '@example.test' from generate_series(1, 5000) g;
     `.trim(),
    [owner.tenant!.id],
  );
  await t.sql(`insert into crm_contacts (tenant_id, email, name) select $1, 'c' || g || '@example.test', 'C' || g from generate_series(1, 5000) g`, [
    owner.tenant!.id,
  ]);
  await t.sql('analyze crm_contacts');
  await t.sql('analyze crm_unsubscribes');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('emails matched by their stored key', () => {
  it('a contact read probes the unsubscribes index instead of scanning or hashing every unsubscribe', async () => {
    const [contact] = await t.sql<{ id: string }>("select id from crm_contacts where email = 'c10@example.test'");
    const plan = await planOf(`select ${contactColumns} from crm_contacts c where c.id = $1 and (c.deleted_at is null) = $2`, [contact!.id, true]);
    expect(plan).toContain('crm_unsubscribes_email_key');
    expect(plan).not.toMatch(/Seq Scan on crm_unsubscribes|hashed SubPlan/);
  });

  it('a list page probes the unsubscribes index for each contact it shows, in the plan PostgreSQL caches for it too', async () => {
    // The page's cached (generic) plan expects many rows, which made PostgreSQL hash every unsubscribe of the tenant
    // on each statement to show 20 contacts.
    const page = `select ${contactColumns} from (select id, created_at from crm_contacts where deleted_at is null and score >= $1
      order by created_at desc, id desc limit $2) p join crm_contacts c on c.id = p.id order by p.created_at desc, p.id desc`;
    const plan = await planOf(page, ['0', '20']);
    expect(plan).toContain('crm_unsubscribes_email_key');
    expect(plan).not.toMatch(/Seq Scan on crm_unsubscribes|hashed SubPlan/);
  });

  it('an email typed in any case finds the live contact through the key’s index (as upserts and imports look it up)', async () => {
    const plan = await planOf('select id from crm_contacts where email_key = lower($1) and deleted_at is null', ['C10@Example.Test']);
    expect(plan).toContain('crm_contacts_email_key_live');
    expect(plan).not.toContain('Seq Scan');
  });

  it('emails stay unique whatever their case, and the unsubscribed flag ignores case', async () => {
    const first = await call('POST', '/contacts', { email: 'Mixed.Case@Example.test', name: 'Mixed' });
    expect(first.status).toBe(201);
    const again = await call('POST', '/contacts', { email: 'mixed.case@example.TEST' });
    expect(again.status).toBe(409);
    expect(first.body.data.unsubscribed).toBe(false);
    await t.sql("insert into crm_unsubscribes (tenant_id, email) values ($1, 'MIXED.case@example.test')", [owner.tenant!.id]);
    const read = await call('GET', `/contacts/${first.body.data.id}`);
    expect(read.body.data.unsubscribed).toBe(true);
    expect(read.body.data.email).toBe('Mixed.Case@Example.test');
  });
});
