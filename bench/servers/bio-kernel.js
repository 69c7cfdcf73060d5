// The kernel with Bio Sites in the API role (no job worker: recorded hits wait for a rollup that never comes),
// serving the page BENCH_SLUG through the full request path.
import bioSites from '@plinth/plugin-bio-sites';
import { startKernel } from '../lib/kernel.js';
import { serve } from '../lib/server.js';

const kernel = await startKernel(process.env.BENCH_DATABASE_URL, { role: 'api', plugins: [bioSites] });
serve(`${kernel.url}/b/${process.env.BENCH_SLUG}`, () => kernel.stop());
