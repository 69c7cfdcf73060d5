/**
 * Every configuration variable Plinth reads: its environment name, its key in
 * `plinth.config.{js,json}`, its JSON Schema and what values are allowed. This
 * table is the one source for validation, `plinth doctor` and the docs
 * (a test keeps docs/configuration.md in step with it).
 */
export interface ConfigVariable {
  /** Environment variable name. */
  env: string;
  /** Key in the config object and in plinth.config files. */
  key: keyof PlinthConfig;
  /** JSON Schema of the parsed value. */
  schema: Record<string, unknown>;
  /** Human description of allowed values, used in error messages. */
  allowed: string;
  /** What it does, for the docs. */
  description: string;
  /** Default when neither the environment nor a config file sets it. */
  default?: unknown;
  /** Generated once in development and kept under the data dir; required in production. */
  secret?: boolean;
  /** Environment strings are split on commas into a list. */
  list?: boolean;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type ProcessRole = 'api' | 'worker' | 'all';

/** The validated configuration a kernel runs with. */
export interface PlinthConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Unset: the CLI starts the embedded PostgreSQL under `dataDir` and fills this in. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Prefix of every Redis key the kernel writes (cache, rate limits), so several hosts can share one Redis. */
  redisPrefix: string;
  dataDir: string;
  /** Unset: files are stored under `<dataDir>/files`. */
  storageUrl?: string;
  baseDomain?: string;
  jwtSecret: string;
  /** Algorithm of the keys that sign access tokens (docs/identity.md). */
  tokenAlg: 'EdDSA' | 'ES256' | 'RS256';
  encryptionKey: string;
  publicUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  /** Largest file `POST /api/v1/files` accepts (and plugins' `files.store` when they name no limit). */
  uploadLimitBytes: number;
  /** Largest file a resumable (tus) upload at `/api/v1/files/uploads` accepts: large media. */
  resumableUploadLimitBytes: number;
  /** How long a report's file can be downloaded before the hourly sweep deletes it. */
  reportRetentionDays: number;
  corsOrigins: string[];
  trustProxy: boolean;
  shutdownTimeoutMs: number;
  dbPoolMax: number;
  /** A streaming replica of the database: read-only routes read from it (docs/adr/0013-read-replicas.md). */
  databaseReplicaUrl?: string;
  /** Past this replication lag, read-only routes read from the primary. */
  replicaMaxLagMs: number;
  jobsPollMs: number;
  jobsLockMs: number;
  /** Per job type, runs at once per worker process instead of the definition's: `name=n`, or `prefix.*=n` for a plugin's jobs. */
  jobConcurrency: string[];
  role: ProcessRole;
  /** A worker's own port serving only `GET /metrics` (workers have no HTTP listener); unset: a worker serves none. */
  metricsPort?: number;
  /** Plugin packages to install: npm names or paths relative to the working directory. */
  plugins: string[];
  /** Serve the web console (installed with core) at the site root. */
  console: boolean;
  pluginBootTimeoutMs: number;
  /** Outbound HTTP (`coreServices.http`) may call loopback addresses: development and tests only. */
  httpAllowLoopback: boolean;
  /** Longest support access (minutes) a host operator may ask of a tenant. */
  supportMaxMinutes: number;
  /** Days tenants' audit entries are kept; a daily job deletes older ones. */
  auditRetentionDays: number;
  /** Who bills tenants (docs/billing.md): unset, `test` outside production and `none` in production. */
  billingProvider?: 'test' | 'stripe' | 'none';
  /** Days a tenant whose renewal failed keeps full use before it becomes read only. */
  billingGraceDays: number;
  /** Days a tenant stays read only (after the grace) before it is suspended. */
  billingReadOnlyDays: number;
  /** Tax rates in percent by the tenant's billing country, as JSON (`{"DE": 19, "EG": 14}`). */
  billingTaxRates: string;
  /** The host's Stripe secret key for billing tenants (`PLINTH_BILLING_PROVIDER=stripe`). */
  billingStripeSecretKey?: string;
  /** The signing secret of the host's Stripe webhook endpoint (`/api/v1/billing/webhooks/stripe`). */
  billingStripeWebhookSecret?: string;
  /** Stripe's API base URL (a proxy, or a local stand-in in tests). */
  billingStripeApiUrl: string;
  /** Stripe Tax computes the tax of subscriptions and checkouts. */
  billingStripeAutomaticTax: boolean;
}

const hostname = '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$';

export const configVariables: readonly ConfigVariable[] = [
  {
    env: 'NODE_ENV',
    key: 'env',
    schema: { enum: ['development', 'production', 'test'] },
    allowed: 'one of development, production, test',
    description: 'Runtime mode. `production` requires every secret to be set explicitly.',
    default: 'development',
  },
  {
    env: 'PORT',
    key: 'port',
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
    allowed: 'an integer from 0 to 65535 (0 picks a free port)',
    description: 'HTTP port to listen on.',
    default: 3000,
  },
  {
    env: 'HOST',
    key: 'host',
    schema: { type: 'string', minLength: 1 },
    allowed: 'a host name or IP address to bind',
    description: 'Address to bind. Use `0.0.0.0` to accept connections from other machines.',
    default: '127.0.0.1',
  },
  {
    env: 'DATABASE_URL',
    key: 'databaseUrl',
    schema: { type: 'string', pattern: '^postgres(ql)?://' },
    allowed: 'a postgres:// or postgresql:// connection URL',
    description: 'PostgreSQL server to use. Unset: an embedded PostgreSQL is started under the data dir.',
  },
  {
    env: 'REDIS_URL',
    key: 'redisUrl',
    schema: { type: 'string', pattern: '^rediss?://' },
    allowed: 'a redis:// or rediss:// URL',
    description: 'Redis for the shared cache and rate limits. Unset: an in-process memory cache.',
  },
  {
    env: 'PLINTH_REDIS_PREFIX',
    key: 'redisPrefix',
    schema: { type: 'string', pattern: '^[A-Za-z0-9:._-]{1,64}$' },
    allowed: '1 to 64 letters, digits or : . _ -',
    description:
      'Prefix of every Redis key Plinth writes (cache, rate limits). Hosts sharing one Redis must each use their own; processes of one host must use the same.',
    default: 'plinth:',
  },
  {
    env: 'PLINTH_DATA_DIR',
    key: 'dataDir',
    schema: { type: 'string', minLength: 1 },
    allowed: 'a directory path',
    description:
      'Where the embedded database (`<data dir>/postgres`) and generated development secrets are kept. Unset and run as root with the project in a folder the `postgres` OS user cannot enter (a home folder of mode 700), the database goes to `/var/lib/plinth/<hash of the path>/postgres` instead, as the start log says; a data dir set here is used as given.',
    default: '.plinth',
  },
  {
    env: 'PLINTH_STORAGE_URL',
    key: 'storageUrl',
    schema: { type: 'string', pattern: '^(file|s3)://[^\\s]+$' },
    allowed: 'a file:///absolute/folder or s3://bucket/prefix URL',
    description:
      'Where uploaded files are stored. Unset: under `<data dir>/files`. `file:///srv/plinth/files`: that folder. `s3://bucket/optional/prefix?region=eu-west-1`: an S3 bucket, credentials from the AWS SDK chain (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, roles) or the URL (`s3://KEY:SECRET@bucket`, %-encoded); for an S3-compatible server add `endpoint=http://host:port` (path-style addressing, `forcePathStyle=false` to turn it off).',
  },
  {
    env: 'PLINTH_BASE_DOMAIN',
    key: 'baseDomain',
    schema: { type: 'string', pattern: hostname },
    allowed: 'a lower-case domain name such as plinth.example.com',
    description: 'Tenants are also resolved from `<slug>.<base domain>` host names.',
  },
  {
    env: 'PLINTH_JWT_SECRET',
    key: 'jwtSecret',
    schema: { type: 'string', minLength: 32 },
    allowed: 'a random string of at least 32 characters',
    description:
      'Signs download URLs of private files (an HMAC key is derived from it). Access tokens are signed with asymmetric keys kept in the database (`PLINTH_TOKEN_ALG`). Generated once under the data dir in development; required in production.',
    secret: true,
  },
  {
    env: 'PLINTH_TOKEN_ALG',
    key: 'tokenAlg',
    schema: { enum: ['EdDSA', 'ES256', 'RS256'] },
    allowed: 'one of EdDSA, ES256, RS256',
    description:
      'Algorithm of the keys that sign access tokens: EdDSA (Ed25519), ES256 (P-256) or RS256 (RSA 2048) for verifiers that know no other. Keys live in the database, sealed with `PLINTH_ENCRYPTION_KEY`, and are published at `/.well-known/jwks.json`; when the active key uses another algorithm, the next start rotates to a new one (nobody is signed out). See docs/identity.md, "Access tokens, keys and the JWKS".',
    default: 'EdDSA',
  },
  {
    env: 'PLINTH_ENCRYPTION_KEY',
    key: 'encryptionKey',
    schema: { type: 'string', minLength: 32 },
    allowed: 'a random string of at least 32 characters',
    description:
      'Encrypts secrets at rest (TOTP seeds, provider credentials, the private parts of token signing keys) with AES-256-GCM. Generated once under the data dir in development; required in production.',
    secret: true,
  },
  {
    env: 'PLINTH_PUBLIC_URL',
    key: 'publicUrl',
    schema: { type: 'string', pattern: '^https?://[^\\s]+[^/]$' },
    allowed: 'an http(s) URL without a trailing slash, such as https://plinth.example.com',
    description: 'Where users reach the host; used in links sent by mail (password reset, invitations). Unset: the address the API listens on.',
  },
  {
    env: 'PLINTH_SMTP_URL',
    key: 'smtpUrl',
    schema: { type: 'string', pattern: '^smtps?://' },
    allowed: 'an smtp:// or smtps:// URL, such as smtps://user:pass@smtp.example.com:465',
    description: 'SMTP server for outgoing mail. Unset: mail is kept in the `mail_outbox` table (development).',
  },
  {
    env: 'PLINTH_MAIL_FROM',
    key: 'mailFrom',
    schema: { type: 'string', minLength: 3 },
    allowed: 'a sender address such as "Plinth <no-reply@example.com>"',
    description: 'Sender of the mail Plinth sends.',
    default: 'Plinth <no-reply@localhost>',
  },
  {
    env: 'LOG_LEVEL',
    key: 'logLevel',
    schema: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    allowed: 'one of fatal, error, warn, info, debug, trace, silent',
    description: 'Minimum level of the JSON log lines written to standard output.',
    default: 'info',
  },
  {
    env: 'PLINTH_BODY_LIMIT',
    key: 'bodyLimitBytes',
    schema: { type: 'integer', minimum: 1024, maximum: 104857600 },
    allowed: 'a size in bytes from 1024 to 104857600 (suffixes kb and mb are accepted)',
    description: 'Largest request body accepted; larger bodies get `413 payload_too_large`.',
    default: 1048576,
  },
  {
    env: 'PLINTH_UPLOAD_LIMIT',
    key: 'uploadLimitBytes',
    schema: { type: 'integer', minimum: 1024, maximum: 1099511627776 },
    allowed: 'a size in bytes from 1024 to 1099511627776 (suffixes kb, mb and gb are accepted)',
    description:
      'Largest file accepted by `POST /api/v1/files`, and by plugins storing files without a limit of their own; larger files get `413`. Files stream to storage, so this does not bound memory.',
    default: 52428800,
  },
  {
    env: 'PLINTH_RESUMABLE_UPLOAD_LIMIT',
    key: 'resumableUploadLimitBytes',
    schema: { type: 'integer', minimum: 1024, maximum: 1099511627776 },
    allowed: 'a size in bytes from 1024 to 1099511627776 (suffixes kb, mb and gb are accepted)',
    description:
      'Largest file accepted by a resumable (tus) upload at `/api/v1/files/uploads` (lesson videos and other large media); a larger `Upload-Length` gets `413` before any byte is sent. Staged on local disk under `<data dir>/uploads` until complete.',
    default: 2147483648,
  },
  {
    env: 'PLINTH_REPORT_RETENTION_DAYS',
    key: 'reportRetentionDays',
    schema: { type: 'integer', minimum: 1, maximum: 365 },
    allowed: 'whole days from 1 to 365',
    description: "How long a report's file can be downloaded; then the hourly sweep deletes it and the run shows `expired`.",
    default: 7,
  },
  {
    env: 'PLINTH_CORS_ORIGINS',
    key: 'corsOrigins',
    schema: { type: 'array', items: { type: 'string', pattern: '^(\\*|https?://[^/\\s]+)$' } },
    allowed: 'a comma-separated list of origins such as https://app.example.com, or *',
    description: 'Origins allowed to call the API from a browser. Empty: CORS is off.',
    default: [],
    list: true,
  },
  {
    env: 'PLINTH_TRUST_PROXY',
    key: 'trustProxy',
    schema: { type: 'boolean' },
    allowed: 'true or false',
    description: 'Trust `X-Forwarded-*` headers (client IP, TLS) from a reverse proxy.',
    default: false,
  },
  {
    env: 'PLINTH_SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    schema: { type: 'integer', minimum: 0, maximum: 600000 },
    allowed: 'milliseconds from 0 to 600000',
    description: 'How long a graceful shutdown waits for in-flight requests and jobs.',
    default: 10000,
  },
  {
    env: 'PLINTH_DB_POOL_MAX',
    key: 'dbPoolMax',
    schema: { type: 'integer', minimum: 1, maximum: 1000 },
    allowed: 'an integer from 1 to 1000',
    description: 'Most connections the application pool opens to PostgreSQL.',
    default: 10,
  },
  {
    env: 'DATABASE_REPLICA_URL',
    key: 'databaseReplicaUrl',
    schema: { type: 'string', pattern: '^postgres(ql)?://' },
    allowed: 'a postgres:// or postgresql:// connection URL',
    description:
      'A streaming replica of `DATABASE_URL`: routes flagged `readOnly` read from it (a session that just wrote reads from the primary until the replica has replayed its write). Unset: every route uses the primary.',
  },
  {
    env: 'PLINTH_REPLICA_MAX_LAG_MS',
    key: 'replicaMaxLagMs',
    schema: { type: 'integer', minimum: 100, maximum: 3600000 },
    allowed: 'milliseconds from 100 to 3600000',
    description: 'Replication lag past which read-only routes read from the primary instead of the replica (as when it is down).',
    default: 5000,
  },
  {
    env: 'PLINTH_METRICS_PORT',
    key: 'metricsPort',
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
    allowed: 'an integer from 0 to 65535',
    description:
      'Role `worker` only: serves `GET /metrics` on this port (on `HOST`), so what a worker records (job runs, plugin metrics counted in jobs and events) can be scraped. API processes serve `/metrics` on `PORT`.',
  },
  {
    env: 'PLINTH_JOBS_POLL_MS',
    key: 'jobsPollMs',
    schema: { type: 'integer', minimum: 50, maximum: 300000 },
    allowed: 'milliseconds from 50 to 300000',
    description: 'How often a worker looks for due jobs and retries (new jobs are also announced at once by LISTEN/NOTIFY).',
    default: 5000,
  },
  {
    env: 'PLINTH_JOBS_LOCK_MS',
    key: 'jobsLockMs',
    schema: { type: 'integer', minimum: 3000, maximum: 3600000 },
    allowed: 'milliseconds from 3000 to 3600000',
    description: 'How long a running job stays locked after its worker stops heartbeating (killed, cut off); then any worker takes it over.',
    default: 15000,
  },
  {
    env: 'PLINTH_JOB_CONCURRENCY',
    key: 'jobConcurrency',
    schema: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*(\\.\\*)?=([1-9]|1[0-9]|20)$' } },
    allowed: 'a comma-separated list of job=runs (1 to 20), a job name or a prefix ending in .*, e.g. crm.campaign.send=2,lms.*=1',
    description:
      'Runs of a job type at once per worker process, overriding its definition; an exact name wins over a prefix, the longest prefix over shorter ones.',
    default: [],
    list: true,
  },
  {
    env: 'PLINTH_PLUGINS',
    key: 'plugins',
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowed: 'a comma-separated list of plugin packages (npm names, or paths starting with ./ or /)',
    description: 'The plugins this host installs; each must default-export definePlugin({...}).',
    default: [],
    list: true,
  },
  {
    env: 'PLINTH_CONSOLE',
    key: 'console',
    schema: { type: 'boolean' },
    allowed: 'true or false',
    description: 'Serve the web console (@plinth/plugin-console, installed with core) at the site root; false runs the API alone.',
    default: true,
  },
  {
    env: 'PLINTH_PLUGIN_BOOT_TIMEOUT_MS',
    key: 'pluginBootTimeoutMs',
    schema: { type: 'integer', minimum: 100, maximum: 3600000 },
    allowed: 'milliseconds from 100 to 3600000',
    description: "How long one plugin's setup (its pending migrations) may take at boot before the start is refused, naming the plugin.",
    default: 60000,
  },
  {
    env: 'PLINTH_HTTP_ALLOW_LOOPBACK',
    key: 'httpAllowLoopback',
    schema: { type: 'boolean' },
    allowed: 'true or false',
    description:
      "Plugins' outbound HTTP (`coreServices.http`: webhook deliveries, store imports) may call loopback addresses, for development and tests; private, link-local and metadata addresses stay refused.",
    default: false,
  },
  {
    env: 'PLINTH_ROLE',
    key: 'role',
    schema: { enum: ['api', 'worker', 'all'] },
    allowed: 'one of api, worker, all',
    description: 'What this process runs: the HTTP API, the job worker, or both (`plinth start --role` overrides it).',
    default: 'all',
  },
  {
    env: 'PLINTH_SUPPORT_MAX_MINUTES',
    key: 'supportMaxMinutes',
    schema: { type: 'integer', minimum: 1, maximum: 43200 },
    allowed: 'minutes from 1 to 43200 (30 days)',
    description:
      'Longest support access a host operator may ask of a tenant (`POST /api/v1/admin/tenants/:id/support-access`); the session ends by itself when its time is up (see docs/tenancy.md, "Support access").',
    default: 480,
  },
  {
    env: 'PLINTH_AUDIT_RETENTION_DAYS',
    key: 'auditRetentionDays',
    schema: { type: 'integer', minimum: 1, maximum: 36500 },
    allowed: 'days from 1 to 36500',
    description:
      "How long tenants' audit entries are kept: a daily job (`core.audit.retention`) deletes older ones. The application cannot otherwise change or delete an entry.",
    default: 365,
  },
  {
    env: 'PLINTH_BILLING_PROVIDER',
    key: 'billingProvider',
    schema: { enum: ['test', 'stripe', 'none'] },
    allowed: 'one of test, stripe, none',
    description:
      "Who charges tenants for their plans (docs/billing.md): `test`, the kernel's own engine with a test card page (development and tests), `stripe` (Stripe Billing), or `none` (no paid plan can be chosen). Unset: `test` outside production, `none` in production.",
  },
  {
    env: 'PLINTH_BILLING_GRACE_DAYS',
    key: 'billingGraceDays',
    schema: { type: 'integer', minimum: 0, maximum: 365 },
    allowed: 'days from 0 to 365',
    description: 'Days a tenant whose renewal was not paid (`past_due`) keeps full use; then it becomes read only (writes refused `billing_read_only`).',
    default: 7,
  },
  {
    env: 'PLINTH_BILLING_READ_ONLY_DAYS',
    key: 'billingReadOnlyDays',
    schema: { type: 'integer', minimum: 0, maximum: 365 },
    allowed: 'days from 0 to 365',
    description:
      'Days a tenant stays read only after the grace; then it is suspended (everything but billing refused `billing_suspended`). Paying lifts either at once.',
    default: 14,
  },
  {
    env: 'PLINTH_BILLING_TAX_RATES',
    key: 'billingTaxRates',
    schema: { type: 'string', maxLength: 10000 },
    allowed: 'a JSON object of tax percentages by ISO country code, such as {"DE": 19, "EG": 14}',
    description: "Tax added to invoices by the tenant's billing country (percent, 0 to 100). A country not listed is invoiced without tax.",
    default: '{}',
  },
  {
    env: 'PLINTH_BILLING_STRIPE_SECRET_KEY',
    key: 'billingStripeSecretKey',
    schema: { type: 'string', pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9_]{8,}$' },
    allowed: 'a Stripe secret or restricted key such as sk_live_…',
    description:
      "The host's Stripe secret key, charging tenants when `PLINTH_BILLING_PROVIDER` is `stripe` (docs/billing.md §Stripe). A `sk_test_…` key bills in Stripe's test mode.",
  },
  {
    env: 'PLINTH_BILLING_STRIPE_WEBHOOK_SECRET',
    key: 'billingStripeWebhookSecret',
    schema: { type: 'string', pattern: '^whsec_[A-Za-z0-9_]{8,}$' },
    allowed: 'a webhook signing secret such as whsec_…',
    description:
      'The signing secret of the Stripe webhook endpoint `https://<host>/api/v1/billing/webhooks/stripe`: events whose signature does not verify are refused (`400 webhook_signature_invalid`).',
  },
  {
    env: 'PLINTH_BILLING_STRIPE_API_URL',
    key: 'billingStripeApiUrl',
    schema: { type: 'string', pattern: '^https?://[^/\\s]+/?$' },
    allowed: 'an http(s) origin such as https://api.stripe.com',
    description: "Stripe's API address for billing: a proxy, or a local stand-in in tests.",
    default: 'https://api.stripe.com',
  },
  {
    env: 'PLINTH_BILLING_STRIPE_AUTOMATIC_TAX',
    key: 'billingStripeAutomaticTax',
    schema: { type: 'boolean' },
    allowed: 'true or false',
    description:
      "Stripe Tax computes the tax of tenants' subscriptions and checkouts (`automatic_tax`; Stripe Tax must be set up in the account). With Stripe, invoices carry the tax Stripe computed; `PLINTH_BILLING_TAX_RATES` is the test provider's.",
    default: false,
  },
];
