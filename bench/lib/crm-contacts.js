import pg from 'pg';

const firstNames = [
  'ada',
  'grace',
  'alan',
  'linus',
  'barbara',
  'edsger',
  'donald',
  'margaret',
  'ken',
  'dennis',
  'guido',
  'bjarne',
  'james',
  'anders',
  'rich',
  'john',
  'radia',
  'frances',
  'tim',
  'vint',
];
const syllables = ['ka', 'lo', 'mi', 'ra', 'tu', 'ven', 'sor', 'dal', 'bri', 'mon', 'hel', 'gar', 'pe', 'xu'];
const lastNames = Array.from({ length: 196 }, (_, index) => `${syllables[index % 14]}${syllables[Math.floor(index / 14)]}son`);

/** What people type in the contact search: a first name, a surname prefix, a company, an email prefix, and a search with filters. */
export const contactQueries = [
  ...firstNames.map((name) => `q=${name}`),
  ...lastNames.slice(0, 40).map((name) => `q=${name.slice(0, 4)}`),
  ...Array.from({ length: 20 }, (_, index) => `q=company${index * 7}`),
  ...Array.from({ length: 20 }, (_, index) => `q=${firstNames[index % firstNames.length]}.${lastNames[index]}`),
  ...firstNames.map((name, index) => `q=${name}&tag=t${index % 5}&score_min=20&sort=-score`),
];

/**
 * Inserts `count` CRM contacts of tenant `tenantId` (names, emails, companies and tags the `contactQueries` find)
 * straight into `crm_contacts` of the database at `databaseUrl` (its triggers index them for search), with one in
 * 20 of them unsubscribed (a mailing list's usual share: every contact read checks it), then vacuums so statistics
 * and visibility maps are as autovacuum keeps them.
 */
export async function seedContacts(databaseUrl, tenantId, count) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `insert into crm_contacts (tenant_id, name, email, company, tags, source, score, created_at)
       select $1, initcap(f.name) || ' ' || initcap(l.name), f.name || '.' || l.name || g || '@example' || (g % 50) || '.com',
              'Company' || (g % 500), array['t' || (g % 5)], 'bench', g % 100, now() - make_interval(mins => g)
         from generate_series(1, $2::int) g,
              lateral (select ($3::text[])[1 + g % $4] as name) f,
              lateral (select ($5::text[])[1 + (g / $4) % $6] as name) l`,
      [tenantId, count, firstNames, firstNames.length, lastNames, lastNames.length],
    );
    await client.query(`insert into crm_unsubscribes (tenant_id, email) select tenant_id, email from crm_contacts where tenant_id = $1 and score % 20 = 7`, [
      tenantId,
    ]);
    await client.query('vacuum analyze crm_contacts');
    await client.query('vacuum analyze crm_unsubscribes');
    await client.query('vacuum analyze crm_contact_words');
  } finally {
    await client.end();
  }
}
