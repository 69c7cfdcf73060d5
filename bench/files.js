// Files benchmark (issue 18): how fast a file goes up (`POST /api/v1/files`, multipart) and comes back down
// (`GET /api/v1/files/:id/content`, whole and a Range of the last 10 MB) through `plinth start` (production, every
// first-party plugin, the default local storage under its data dir), against a plain copy of the same file on the
// same disk in the same run; and whether the server's resident memory stays flat (within 30 MB) while the file
// streams through it, sampled every 100 ms. The file (BENCH_FILE_MB, default 1024) is random bytes behind a 32-byte
// MP4 `ftyp` box, so that its type sniffs as video/mp4, which the upload route accepts (unknown binary is refused).
// BENCH_ROUNDS (default 1) repeats copy, upload and download in turn; medians of the throughputs, the largest memory
// growth. BENCH_MEMORY=1 (or `gc`) also has the server log its own memory, to show what grew (bench/README.md).
// Needs `npm run build`; Linux (memory and CPU time are read from /proc).
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, open, unlink } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers/promises';
import { pipeline } from 'node:stream/promises';
import { scratchDatabase } from './lib/database.js';
import { call } from './lib/kernel.js';
import { median } from './lib/measure.js';
import { benchOwner, enablePlugins, firstParty, firstPartyPackages, hostEnvironment, repo, session } from './lib/plinth-hosts.js';
import { memoryProbe, sampleRss } from './lib/proc.js';
import { startPlinth } from './lib/server.js';

const MB = 1024 * 1024;
const fileMb = Number(process.env.BENCH_FILE_MB ?? 1024);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
/**
 * BENCH_MEMORY=1: the server also logs its own memory (V8 heap, Buffers) to show where a growth is; BENCH_MEMORY=gc:
 * and runs a full garbage collection before each sample, to tell memory in use from garbage not yet collected.
 */
const probeMemory = process.env.BENCH_MEMORY;
const size = Math.round(fileMb * MB);
const rangeBytes = Math.min(10 * MB, size);
/** The limit on the server's memory growth while a file streams through it. */
const rssLimitMb = 30;
const admin = { email: 'bench-files-admin@example.test', password: 'bench-files-admin-password-4821' };

/**
 * Writes `bytes` bytes to `file`: an MP4 `ftyp` box (32 bytes, so that the bytes sniff as video/mp4), then random
 * bytes, 1 MB at a time. Returns their SHA-256, hex, to compare with the checksum the server records.
 */
async function writeSourceFile(file, bytes) {
  const box = Buffer.alloc(32);
  box.writeUInt32BE(32, 0);
  box.write('ftypisom', 4, 'latin1');
  box.writeUInt32BE(0x200, 12);
  box.write('isomiso2avc1mp41', 16, 'latin1');
  const hash = createHash('sha256');
  async function* chunks() {
    for (let written = 0; written < bytes;) {
      const chunk = written === 0 ? Buffer.concat([box, randomFillSync(Buffer.alloc(MB - box.length))]) : randomFillSync(Buffer.alloc(MB));
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - written));
      hash.update(part);
      written += part.length;
      yield part;
    }
  }
  await pipeline(chunks, createWriteStream(file));
  return hash.digest('hex');
}

/** Fsyncs `file`: a copy counts once its bytes are on disk, as the local storage driver's puts do. */
async function syncFile(file) {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Runs `transfer()` while sampling the server's resident memory every 100 ms and timing it; returns what it returned
 * with `seconds`, `mbPerSecond` (of `bytes`), the server's CPU seconds and its memory before, at most and after.
 */
async function timed(server, bytes, transfer) {
  const cpu = server.stats().cpu;
  const rss = sampleRss(server.pid, 100);
  const start = Date.now();
  const started = performance.now();
  let result;
  let memory;
  try {
    result = await transfer();
  } finally {
    memory = rss.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const end = Date.now();
  let inside;
  if (server.probe) {
    // The probe's next sample, up to 100 ms after the end, still counts: it shows the memory the transfer left.
    await setTimeout(150);
    inside = server.probe.between(start, end + 100);
  }
  return { ...result, seconds, mbPerSecond: bytes / MB / seconds, cpuSeconds: (server.stats().cpu - cpu) / 1e6, memory, inside };
}

/** A timed baseline (no server): `work()`'s MB/s for `bytes`. */
async function baseline(bytes, work) {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, mbPerSecond: bytes / MB / seconds };
}

/**
 * Sends an HTTP request to `url` with `body` (an async iterable, streamed, or nothing) and resolves once the answer
 * has been read: `consume(response)` reads it (default: the text, kept).
 */
function request(url, { method = 'GET', headers = {}, body, consume }) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers }, (response) => {
      const reading = consume ? consume(response) : text(response);
      reading.then((read) => resolve({ status: response.statusCode, headers: response.headers, ...read }), reject);
    });
    outgoing.on('error', reject);
    if (!body) return void outgoing.end();
    // An early answer (a 4xx before the whole body was sent) may cut the upload: the answer is what counts.
    pipeline(body, outgoing).catch(() => undefined);
  });
}

async function text(response) {
  let body = '';
  response.setEncoding('utf8');
  for await (const chunk of response) body += chunk;
  return { text: body };
}

/** Streams the answer to /dev/null, counting its bytes. */
async function toDevNull(response) {
  let bytes = 0;
  response.on('data', (chunk) => (bytes += chunk.length));
  await pipeline(response, createWriteStream('/dev/null'));
  return { bytes };
}

/**
 * `POST /api/v1/files`: a multipart body assembled around a stream of `file` (a `visibility` field, then the `file`
 * part), with its exact Content-Length; nothing is buffered but the file stream's 64 KB chunks.
 */
function upload(server, headers, file, bytes) {
  const boundary = `plinth-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="visibility"\r\n\r\nprivate\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="lesson.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* body() {
    yield head;
    yield* createReadStream(file);
    yield tail;
  }
  return request(`${server.url}/api/v1/files`, {
    method: 'POST',
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + bytes + tail.length) },
    body,
  });
}

/** Fails the run with what the server answered when `status` is not the one expected. */
function expect(what, answer, status) {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${answer.text ?? ''}`.trim());
  return answer;
}

/**
 * Registers tenant `bench` with its owner through `plinth`, enables every first-party plugin, and has a host
 * administrator (`plinth user create --super-admin`, run with `env`) raise its storage quota to `storageBytes`
 * (`PUT /admin/tenants/:id/quotas`; the default, 1 GiB, would not leave room for the file and its warm-up). Returns
 * the owner's `headers()`.
 */
async function filesTenant(plinth, env, storageBytes) {
  const { data } = await call(plinth, 'POST', '/api/v1/auth/register', { ...benchOwner, name: 'Bench', tenant: { name: 'Bench', slug: 'bench' } });
  const headers = await session(plinth, benchOwner);
  await enablePlugins(
    plinth,
    headers,
    firstParty.filter((name) => name !== 'console'),
  );
  execFileSync(
    process.execPath,
    [path.join(repo, 'core/bin/plinth.js'), 'user', 'create', '--super-admin', '--email', admin.email, '--name', 'Bench admin', '--password', admin.password],
    { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const adminHeaders = await session(plinth, admin);
  await call(plinth, 'PUT', `/api/v1/admin/tenants/${data.tenant.id}/quotas`, { storage_bytes: storageBytes }, await adminHeaders());
  return headers;
}

/** One round: the plain copies, the upload, the whole download, the Range download; the file is deleted again. */
async function round(plinth, headers, { source, copy, checksum }) {
  const copied = await baseline(size, async () => {
    await copyFile(source, copy);
    await syncFile(copy);
  });
  await unlink(copy);
  const piped = await baseline(size, () => pipeline(createReadStream(source), createWriteStream(copy, { flush: true })));
  await unlink(copy);
  const read = await baseline(size, () => pipeline(createReadStream(source), createWriteStream('/dev/null')));

  const auth = await headers();
  const up = await timed(plinth, size, async () => expect('upload', await upload(plinth, auth, source, size), 201));
  const file = JSON.parse(up.text).data;
  if (file.size !== size || file.checksum !== checksum || file.content_type !== 'video/mp4') {
    throw new Error(`the stored file is not the one sent: ${JSON.stringify({ size: file.size, checksum: file.checksum, content_type: file.content_type })}`);
  }
  const content = `${plinth.url}/api/v1/files/${file.id}/content`;
  const down = await timed(plinth, size, async () => expect('download', await request(content, { headers: auth, consume: toDevNull }), 200));
  if (down.bytes !== size) throw new Error(`download: ${down.bytes} bytes of ${size}`);
  const ranged = await timed(plinth, rangeBytes, async () =>
    expect('range download', await request(content, { headers: { ...auth, range: `bytes=-${rangeBytes}` }, consume: toDevNull }), 206),
  );
  if (ranged.bytes !== rangeBytes) throw new Error(`range download: ${ranged.bytes} bytes of ${rangeBytes}`);
  expect('delete', await request(`${plinth.url}/api/v1/files/${file.id}`, { method: 'DELETE', headers: auth }), 204);
  return { copied, piped, read, up, down, ranged };
}

/**
 * Loads what the routes load on first use (the multipart parser, the type sniffer) with a 1 MB file up and down,
 * so that the memory measured from then on is what streaming costs, not code loaded once.
 */
async function warmUp(plinth, headers, folder) {
  const small = path.join(folder, 'warm-up.mp4');
  await writeSourceFile(small, MB);
  const auth = await headers();
  const file = JSON.parse(expect('warm-up upload', await upload(plinth, auth, small, MB), 201).text).data;
  expect('warm-up download', await request(`${plinth.url}/api/v1/files/${file.id}/content`, { headers: auth, consume: toDevNull }), 200);
  expect('warm-up delete', await request(`${plinth.url}/api/v1/files/${file.id}`, { method: 'DELETE', headers: auth }), 204);
  await unlink(small);
}

const mbps = (value) => `${value.toFixed(0).padStart(5)} MB/s`;
const megabytes = (bytes) => (bytes / MB).toFixed(0);
const line = (label, text) => console.log(`${label.padEnd(62)} ${text}`);
const verdict = (target, value, limit) => console.log(`${value <= limit ? 'met   ' : 'missed'}  ${target}: ${value.toFixed(1)}`);

/**
 * Prints the figures of `runs` (medians of the throughputs; for memory, the run whose transfer grew the server's
 * resident memory most) and the verdicts; `overall` is the server's memory from after the warm-up to the end.
 */
function report(runs, overall) {
  const mid = (pick) => median(runs.map(pick));
  const copy = { copyFile: mid((run) => run.copied.mbPerSecond), pipe: mid((run) => run.piped.mbPerSecond), read: mid((run) => run.read.mbPerSecond) };
  const ratios = (value) => `${(value / copy.pipe).toFixed(2)}× pipe   ${(value / copy.copyFile).toFixed(2)}× copyFile`;
  const growthOf = (transfer) => transfer.memory.max - transfer.memory.before;
  const worst = (pick) => pick(runs.reduce((a, b) => (growthOf(pick(b)) > growthOf(pick(a)) ? b : a)));
  const cpu = (pick) => `server CPU ${mid((run) => pick(run).cpuSeconds).toFixed(1)} s`;
  const memory = (pick) => {
    const { before, max, after } = worst(pick).memory;
    return `RSS ${megabytes(before)} → max ${megabytes(max)} MB (+${((max - before) / MB).toFixed(1)}), after ${megabytes(after)}`;
  };
  /** With BENCH_MEMORY: what grew inside the server, from the probe's sample before the transfer to its largest. */
  const inside = (pick) => {
    const probe = worst(pick).inside;
    if (!probe) return;
    const grew = (field) => `${((probe.max[field] - probe.before[field]) / MB).toFixed(1)}`;
    const parts = [
      `heap total +${grew('heapTotal')}`,
      `heap used +${grew('heapUsed')}`,
      `external +${grew('external')}`,
      `array buffers +${grew('arrayBuffers')}`,
    ];
    line('', `  inside (process.memoryUsage, max − before, MB): ${parts.join(', ')}, rss +${grew('rss')}`);
  };

  console.log(
    `files: plinth start (production, every first-party plugin, local storage) vs a plain copy on the same disk; a ${fileMb} MB file (MB = 2^20 bytes), ${rounds} round${rounds === 1 ? '' : 's'} (medians); server RSS sampled every 100 ms`,
  );
  line('copy: fs.copyFile + fsync', mbps(copy.copyFile));
  line('copy: stream pipe, read → write + fsync (as the local driver)', mbps(copy.pipe));
  line('read: stream pipe, read → /dev/null', mbps(copy.read));
  const up = mid((run) => run.up.mbPerSecond);
  const down = mid((run) => run.down.mbPerSecond);
  line('upload: POST /api/v1/files (multipart, streamed)', `${mbps(up)}   ${ratios(up)}   ${cpu((run) => run.up)}   ${memory((run) => run.up)}`);
  inside((run) => run.up);
  line(
    'download: GET /api/v1/files/:id/content → /dev/null',
    `${mbps(down)}   ${ratios(down)}   ${(down / copy.read).toFixed(2)}× read   ${cpu((run) => run.down)}   ${memory((run) => run.down)}`,
  );
  inside((run) => run.down);
  line(
    `download: Range, the last ${megabytes(rangeBytes)} MB (206)`,
    `${mbps(mid((run) => run.ranged.mbPerSecond))}   ${mid((run) => run.ranged.seconds * 1000).toFixed(0)} ms   ${memory((run) => run.ranged)}`,
  );
  line(
    'server RSS over the run',
    `${megabytes(overall.before)} MB after the warm-up → max ${megabytes(overall.max)} MB, ${megabytes(overall.after)} at the end`,
  );
  verdict(`RSS growth (MB) ≤ ${rssLimitMb} while ${fileMb} MB streams up`, growthOf(worst((run) => run.up)) / MB, rssLimitMb);
  verdict(`RSS growth (MB) ≤ ${rssLimitMb} while ${fileMb} MB streams down`, growthOf(worst((run) => run.down)) / MB, rssLimitMb);
  verdict(`RSS growth (MB) ≤ ${rssLimitMb} over the whole run, from after the warm-up`, (overall.max - overall.before) / MB, rssLimitMb);
}

const database = await scratchDatabase('plinth_bench_files');
const scratch = mkdtempSync(path.join(tmpdir(), 'plinth-bench-files-'));
let plinth;
try {
  const { plinthEnv } = hostEnvironment(database.url, scratch);
  // Uploads up to twice the file's size: the route's limit (PLINTH_UPLOAD_LIMIT, 50 MB by default) would refuse it.
  const env = plinthEnv('files', firstPartyPackages, { PLINTH_UPLOAD_LIMIT: String(Math.max(2 * size, 1024 * 1024)) });
  const probe = probeMemory ? memoryProbe(path.join(scratch, 'memory.jsonl'), { collect: probeMemory === 'gc' }) : undefined;
  plinth = await startPlinth({ cwd: repo, env: { ...env, ...probe?.env } });
  plinth.probe = probe;
  const headers = await filesTenant(plinth, env, 2 * size + 16 * MB);
  const source = path.join(scratch, 'source.mp4');
  const checksum = await writeSourceFile(source, size);
  await warmUp(plinth, headers, scratch);
  const whole = sampleRss(plinth.pid, 100);
  const runs = [];
  for (let index = 0; index < rounds; index++) runs.push(await round(plinth, headers, { source, copy: path.join(scratch, 'copy.mp4'), checksum }));
  const overall = whole.stop();
  // The transfers' own samples fall between the run's: the largest of all.
  overall.max = Math.max(overall.max, ...runs.flatMap((run) => [run.up, run.down, run.ranged].map((transfer) => transfer.memory.max)));
  report(runs, overall);
} finally {
  await plinth?.stop();
  await database.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
