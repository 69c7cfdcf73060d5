// The tenant data of the plugin-route benches (plugin-routes.js, pg-plans.js): contacts in bulk, products and
// courses through the HTTP API, then the tables they filled analysed, as autovacuum does on a production server.
import pg from 'pg';
import { seedContacts } from './crm-contacts.js';
import { call } from './kernel.js';

/** Runs `task` on each of `values`, `width` at a time. */
export async function inParallel(values, width, task) {
  const results = [];
  for (let start = 0; start < values.length; start += width) results.push(...(await Promise.all(values.slice(start, start + width).map(task))));
  return results;
}

/** Tables the products and courses fill (through the API), analysed after seeding. */
const catalogueTables = ['shop_products', 'shop_variants', 'lms_courses', 'lms_modules', 'lms_lessons', 'lms_quizzes'];

/**
 * Seeds tenant `tenantId` of `plinth` (the owner's `headers()`): `counts.contacts` contacts in bulk, `counts.products`
 * products of one variant and `counts.courses` published courses of 3 modules of 4 lessons through the API. The
 * scratch server may run without autovacuum (CI's does), and a table never analysed gets plans made for an empty one
 * (a product read walked all 500 products of the tenant): the tables are analysed as autovacuum would after such
 * inserts. Returns ids to read: 1,000 random contacts, every product and course.
 */
export async function seedPluginData(plinth, databaseUrl, tenantId, headers, counts) {
  await seedContacts(databaseUrl, tenantId, counts.contacts);
  const auth = await headers();
  const products = await inParallel([...Array(counts.products).keys()], 20, async (index) => {
    const body = {
      name: `Product ${index}`,
      status: 'active',
      description: 'A product of the benchmark',
      variants: [{ sku: `SKU-${index}`, price: 1000 + index, stock: 100 }],
    };
    return (await call(plinth, 'POST', '/api/v1/shop/products', body, auth)).data.id;
  });
  const courses = await inParallel([...Array(counts.courses).keys()], 10, async (index) => {
    const course = (await call(plinth, 'POST', '/api/v1/lms/courses', { title: `Course ${index}`, slug: `course-${index}`, status: 'published' }, auth)).data;
    for (const number of [1, 2, 3]) {
      const module = (await call(plinth, 'POST', `/api/v1/lms/courses/${course.id}/modules`, { title: `Module ${number}` }, auth)).data;
      for (const lesson of [1, 2, 3, 4]) {
        await call(plinth, 'POST', `/api/v1/lms/modules/${module.id}/lessons`, { title: `Lesson ${number}.${lesson}`, status: 'published' }, auth);
      }
    }
    return course.id;
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const table of catalogueTables) await client.query(`vacuum analyze ${table}`);
    const contacts = (await client.query('select id from crm_contacts order by random() limit 1000')).rows.map((contact) => contact.id);
    return { contacts, products, courses };
  } finally {
    await client.end();
  }
}
