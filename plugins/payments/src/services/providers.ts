import { randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '@plinth/sdk';
import { paymentsErrors } from '../errors.js';
import type { CheckoutMethod } from '../contract.js';
import type { Scope } from '../deps.js';
import { createManualProvider } from '../providers/manual-provider.js';
import { ProviderInputError, type PaymentProvider, type ProviderCredentials } from '../providers/provider.js';
import { createPaymobProvider, isPaymobBase, PAYMOB_CREDENTIALS, type PaymobProviderOptions } from '../providers/paymob-provider.js';
import { createStripeProvider, type StripeProviderOptions } from '../providers/stripe-provider.js';
import { createTestProvider } from '../providers/test-provider.js';

/** Providers that work without saved credentials (their webhook secret is generated on first use). */
const SELF_CONFIGURING = new Set(['test', 'manual']);

/** A provider ready for one call: the gateway and the tenant's opened credentials. */
export interface ResolvedProvider {
  provider: PaymentProvider;
  config: ProviderCredentials;
}

/** What the API shows of a configured provider: never a credential's value. */
export interface ProviderView {
  name: string;
  enabled: boolean;
  credential_keys: string[];
  webhook_path: string;
  created_at: string;
  updated_at: string;
}

interface ProviderRow {
  name: string;
  enabled: boolean;
  credentials_sealed: string;
  credential_keys: string[];
  created_at: Date;
  updated_at: Date;
}

/** Finds providers by name (built-ins, then the `payments.providers.resolve` hook) and keeps the tenant's sealed credentials. */
export class Providers {
  constructor(
    private readonly scope: Scope,
    private readonly stripeOptions: StripeProviderOptions,
    private readonly paymobOptions: PaymobProviderOptions = {},
  ) {}

  /** The gateway called `name`, or undefined when neither payments nor an enabled plugin offers it. */
  async gateway(name: string): Promise<PaymentProvider | undefined> {
    const { deps, settings } = this.scope;
    if (name === 'test')
      return settings.test_provider_enabled ? createTestProvider((event) => deps.jobs.enqueue('payments.test-gateway.deliver', { event })) : undefined;
    if (name === 'manual') return createManualProvider(settings.manual_instructions);
    if (name === 'stripe') return createStripeProvider(this.stripeOptions);
    if (name === 'paymob') return createPaymobProvider(this.paymobOptions);
    const supplied = await deps.hooks.call('payments.providers.resolve', { name });
    return supplied?.name === name ? supplied : undefined;
  }

  /** The gateway and its credentials, for a provider the tenant may use; 422 on `field` otherwise. */
  async resolve(name: string, field = 'provider'): Promise<ResolvedProvider> {
    const provider = await this.gateway(name);
    const row = provider ? await this.row(name, SELF_CONFIGURING.has(name)) : undefined;
    if (!provider || !row?.enabled) throw new ValidationError({ [field]: [`${name} is not a configured payment provider`] });
    return { provider, config: this.open(row) };
  }

  /** Like {@link resolve}, for webhooks: an unknown or unconfigured provider is `404`. */
  async resolveForWebhook(name: string): Promise<ResolvedProvider> {
    const provider = await this.gateway(name);
    const row = provider ? await this.row(name, SELF_CONFIGURING.has(name)) : undefined;
    if (!provider || !row?.enabled) throw new NotFoundError('Unknown payment provider');
    return { provider, config: this.open(row) };
  }

  /** How a hosted checkout takes payment with `name`; 422 when the tenant cannot use it. */
  async checkoutMethod(name: string): Promise<CheckoutMethod> {
    const { provider, config } = await this.resolve(name);
    if (provider.checkoutMethod) return { provider: name, ...provider.checkoutMethod(config) };
    return { provider: name, kind: name === 'manual' ? 'manual' : 'card_form' };
  }

  async list(): Promise<ProviderView[]> {
    const rows = await this.scope.deps.db.query<ProviderRow>('select * from payments_providers order by name');
    return rows.map((row) => this.view(row));
  }

  async get(name: string): Promise<ProviderView> {
    const row = await this.row(name, false);
    if (!row) throw new NotFoundError('Provider not configured');
    return this.view(row);
  }

  /** Saves (replaces) a provider's credentials, sealed; the webhook secret of self-configuring providers is kept unless given. */
  async save(name: string, input: { credentials?: Record<string, string>; enabled?: boolean }): Promise<ProviderView> {
    if (!(await this.gateway(name))) throw new ValidationError({ name: [`no installed or enabled plugin provides ${name}`] });
    const existing = await this.row(name, false);
    const credentials = { ...(existing && !input.credentials ? this.open(existing).credentials : {}), ...input.credentials };
    if (SELF_CONFIGURING.has(name)) credentials.webhook_secret ??= existing ? (this.open(existing).webhookSecret ?? generatedSecret()) : generatedSecret();
    if (name === 'stripe' && (!credentials.secret_key || !credentials.webhook_secret)) {
      throw new ValidationError({ credentials: ['stripe needs secret_key and webhook_secret'] });
    }
    if (name === 'stripe' && credentials.publishable_key !== undefined && !/^pk_(test|live)_[A-Za-z0-9]+$/.test(credentials.publishable_key)) {
      throw new ValidationError({ 'credentials.publishable_key': ['must be a Stripe publishable key (pk_…)'] });
    }
    if (name === 'stripe' && credentials.checkout !== undefined && credentials.checkout !== 'session' && credentials.checkout !== 'element') {
      throw new ValidationError({ 'credentials.checkout': ["must be 'element' (Payment Element, default) or 'session' (Stripe Checkout)"] });
    }
    if (name === 'paymob') {
      const missing = PAYMOB_CREDENTIALS.filter((key) => !credentials[key]);
      if (missing.length > 0) throw new ValidationError({ credentials: [`paymob needs ${missing.join(', ')}`] });
      if (!/^\d+$/.test(credentials.integration_id!)) throw new ValidationError({ 'credentials.integration_id': ['must be a number'] });
      if (credentials.base_url !== undefined && !isPaymobBase(credentials.base_url)) {
        throw new ValidationError({ 'credentials.base_url': ['must be https://<region>.paymob.com'] });
      }
    }
    const [row] = await this.scope.deps.db.query<ProviderRow>(
      `insert into payments_providers (name, enabled, credentials_sealed, credential_keys) values ($1, $2, $3, $4)
       on conflict (tenant_id, name) do update set enabled = excluded.enabled, credentials_sealed = excluded.credentials_sealed,
         credential_keys = excluded.credential_keys, updated_at = now()
       returning *`,
      [name, input.enabled ?? existing?.enabled ?? true, this.scope.deps.secrets.seal(JSON.stringify(credentials)), Object.keys(credentials).sort()],
    );
    await this.audit(existing ? 'updated' : 'created', existing, row);
    return this.view(row!);
  }

  async remove(name: string): Promise<void> {
    const [removed] = await this.scope.deps.db.query<ProviderRow>('delete from payments_providers where name = $1 returning *', [name]);
    if (!removed) throw new NotFoundError('Provider not configured');
    await this.audit('deleted', removed, undefined);
  }

  /**
   * Records a change of a provider's configuration: which credentials changed shows (compared opened, so a
   * re-sealed but equal key is no change), never their values.
   */
  private async audit(verb: string, before: ProviderRow | undefined, after: ProviderRow | undefined, data?: Record<string, unknown>): Promise<void> {
    const snapshot = (row: ProviderRow) => {
      const { credentials } = this.open(row);
      return {
        enabled: row.enabled,
        credential_keys: row.credential_keys,
        ...Object.fromEntries(Object.entries(credentials).map(([key, value]) => [`credentials.${key}`, value])),
      };
    };
    const target = (after ?? before)!;
    const fields = [before, after].flatMap((row) => (row ? Object.keys(this.open(row).credentials) : []));
    await this.scope.deps.audit.record({
      entity: 'provider',
      verb,
      target: target.name,
      ...(before ? { before: snapshot(before) } : {}),
      ...(after ? { after: snapshot(after) } : {}),
      redact: [...new Set(fields)].map((key) => `credentials.${key}`),
      ...(data ? { data } : {}),
    });
  }

  private async row(name: string, create: boolean): Promise<ProviderRow | undefined> {
    const { db, secrets } = this.scope.deps;
    const found = await db.one<ProviderRow>('select * from payments_providers where name = $1', [name]);
    if (found || !create) return found;
    // First use of a self-configuring provider: concurrent first uses agree on one secret through the unique key.
    const [created] = await db.query<ProviderRow>(
      `insert into payments_providers (name, credentials_sealed, credential_keys) values ($1, $2, '{webhook_secret}') on conflict (tenant_id, name) do nothing
       returning *`,
      [name, secrets.seal(JSON.stringify({ webhook_secret: generatedSecret() }))],
    );
    if (created) await this.audit('created', undefined, created, { automatic: true });
    return created ?? db.one<ProviderRow>('select * from payments_providers where name = $1', [name]);
  }

  private open(row: ProviderRow): ProviderCredentials {
    const credentials = JSON.parse(this.scope.deps.secrets.open(row.credentials_sealed)) as Record<string, string>;
    // Paymob signs its callbacks with the merchant's HMAC secret.
    return { credentials, webhookSecret: row.name === 'paymob' ? credentials.hmac_secret : credentials.webhook_secret, tenantId: this.scope.tenantId };
  }

  private view(row: ProviderRow): ProviderView {
    return {
      name: row.name,
      enabled: row.enabled,
      credential_keys: row.credential_keys,
      webhook_path: `/api/v1/payments/webhooks/${row.name}/${this.scope.tenantId}`,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  }
}

function generatedSecret(): string {
  return `whsec_${randomBytes(24).toString('hex')}`;
}

/** Runs a gateway call: input problems become 422 on their field, anything else a 503 (logged without credentials). */
export async function callGateway<T>(scope: Scope, provider: PaymentProvider, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProviderInputError) throw new ValidationError({ [error.field]: [error.message] });
    scope.deps.logger.warn(
      { provider: provider.name, operation, error: redactSecrets(error instanceof Error ? error.message : String(error)) },
      'payment provider call failed',
    );
    throw paymentsErrors.provider_unavailable(`The payment provider ${provider.name} could not complete ${operation}`);
  }
}

/** Masks anything shaped like a key or secret, in case a gateway echoes one in an error message. */
function redactSecrets(text: string): string {
  return text.replace(/\b(sk|rk|pk|whsec)_[A-Za-z0-9_]+/g, '$1_[redacted]');
}
