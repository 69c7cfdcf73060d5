// Runs s3rver for the storage tests, in its own process because it needs `--openssl-legacy-provider` on Node 17+
// (it encrypts ListObjectsV2 continuation tokens with DES; without the flag every truncated listing answers 500).
// Arguments: <directory> <bucket>. Prints {"port":…} once listening; exits when its standard input closes.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const uploadsOf = (name) => path.join(directory, name, '._S3rver_uploads');
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });

// s3rver 3.7 answers AbortMultipartUpload with 405 MethodNotAllowed; this adds it as S3 does it (the upload and its
// parts are gone, 204; an unknown upload is 404 NoSuchUpload). Everything else is s3rver's own.
server.middleware.unshift(async (ctx, next) => {
  const uploadId = ctx.query.uploadId;
  if (ctx.method !== 'DELETE' || typeof uploadId !== 'string') return next();
  const name = ctx.path.split('/')[1] ?? '';
  if (!/^[0-9a-f]{1,64}$/.test(uploadId) || !/^[a-z0-9.-]{3,63}$/.test(name)) return next();
  const existed = (await readdir(uploadsOf(name)).catch(() => [])).includes(uploadId);
  await rm(path.join(uploadsOf(name), uploadId), { recursive: true, force: true });
  ctx.status = existed ? 204 : 404;
  if (!existed) {
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>No such upload</Message></Error>';
  }
});

const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
process.stdin.on('end', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
process.stdin.resume();
