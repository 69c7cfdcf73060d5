// Bio page benchmark: GET /b/:slug (a published page of 12 links, a heading, socials and a form) through the kernel
// with a warm page cache, against a bare Koa answering the same HTML bytes as a constant, same run, same machine.
// Needs the bio-sites plugin built (`npx tsc -b`); uses DATABASE_URL when set, otherwise an embedded PostgreSQL.
// The servers are servers/bio-bare.js and servers/bio-kernel.js.
import { Buffer } from 'node:buffer';
import bioSites from '@plinth/plugin-bio-sites';
import { scratchDatabase } from './lib/database.js';
import { benchTenant, call, startKernel } from './lib/kernel.js';
import { measureAll, row, settings } from './lib/measure.js';

const { duration, rounds, connections } = settings({ duration: 5, rounds: 3, connections: 50 });
const slug = 'bench-page';
const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const crawler = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** A tenant that enabled Bio Sites and published a typical page; returns the page's HTML. */
async function prepare(databaseUrl) {
  const kernel = await startKernel(databaseUrl, { role: 'api', plugins: [bioSites] });
  const { headers } = await benchTenant(kernel);
  await call(kernel, 'POST', '/api/v1/marketplace/bio-sites/enable', {}, headers);
  const site = (
    await call(kernel, 'POST', '/api/v1/bio-sites/sites', { slug, title: 'Bench creator', bio: 'Videos, music and notes.', status: 'published' }, headers)
  ).data;
  const block = (body) => call(kernel, 'POST', `/api/v1/bio-sites/sites/${site.id}/blocks`, body, headers);
  await block({ type: 'heading', data: { text: 'Latest' } });
  for (let index = 0; index < 12; index++) await block({ type: 'link', data: { title: `Link number ${index}`, url: `https://example.com/${index}` } });
  await block({ type: 'social', data: { links: ['instagram', 'tiktok', 'youtube'].map((network) => ({ network, url: `https://${network}.example/me` })) } });
  await block({ type: 'email_capture', data: {} });
  const page = await fetch(`${kernel.url}/b/${slug}`, { headers: { 'user-agent': crawler } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the page answered ${page.status}`);
  await kernel.stop();
  return html;
}

const database = await scratchDatabase('plinth_bench_bio');
try {
  const html = await prepare(database.url);
  console.log(
    `bio page: GET /b/${slug} (${Buffer.byteLength(html)} bytes of HTML), ${connections} connections, ${rounds} interleaved rounds of ${duration} s per target (medians), loopback, one process each`,
  );
  const env = { BENCH_DATABASE_URL: database.url, BENCH_SLUG: slug, BENCH_HTML: html };
  // The warm-up fills the page cache.
  const [bare, visitor, bot] = await measureAll(
    [
      { file: 'bio-bare.js', env, headers: { 'user-agent': phone } },
      { file: 'bio-kernel.js', env, headers: { 'user-agent': phone } },
      { file: 'bio-kernel.js', env, headers: { 'user-agent': crawler } },
    ],
    { rounds, duration, connections },
  );
  const options = { width: 52, cpuRatio: false };
  console.log(row('bare Koa, constant HTML (baseline)', bare, bare, options));
  console.log(row('kernel, warm page cache, visit recorded (phone)', visitor, bare, options));
  console.log(row('kernel, warm page cache, crawler (not recorded)', bot, bare, options));
} finally {
  await database.dispose();
}
