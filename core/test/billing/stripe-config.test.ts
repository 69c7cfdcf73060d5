import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { billingConfig } from '../../src/billing/billing-config.js';
import { stripeBillingEvents } from '../../src/billing/stripe-webhooks.js';
import { ConfigError, loadConfig } from '../../src/index.js';
import { createTestKernel } from '../../src/testing/index.js';

const load = (env: Record<string, string>) =>
  loadConfig({
    env: { PLINTH_JWT_SECRET: 'a'.repeat(40), PLINTH_BILLING_PROVIDER: 'stripe', ...env },
    cwd: mkdtempSync(path.join(tmpdir(), 'plinth-stripe-')),
  });

describe('Stripe billing settings', () => {
  it('reads the keys, the API address (Stripe by default) and automatic tax (off by default)', async () => {
    const config = await load({ PLINTH_BILLING_STRIPE_SECRET_KEY: 'sk_test_0123456789', PLINTH_BILLING_STRIPE_WEBHOOK_SECRET: 'whsec_0123456789' });
    expect(billingConfig(config).stripe).toEqual({
      secretKey: 'sk_test_0123456789',
      webhookSecret: 'whsec_0123456789',
      apiUrl: 'https://api.stripe.com',
      automaticTax: false,
    });
    const local = await load({
      PLINTH_BILLING_STRIPE_SECRET_KEY: 'rk_live_0123456789',
      PLINTH_BILLING_STRIPE_WEBHOOK_SECRET: 'whsec_0123456789',
      PLINTH_BILLING_STRIPE_API_URL: 'http://127.0.0.1:12111',
      PLINTH_BILLING_STRIPE_AUTOMATIC_TAX: 'true',
    });
    expect(billingConfig(local).stripe).toMatchObject({ apiUrl: 'http://127.0.0.1:12111', automaticTax: true });
  });

  it('refuses Stripe without its secrets, and values of the wrong shape, naming the variable', async () => {
    await expect(load({}).then(billingConfig)).rejects.toThrow(/PLINTH_BILLING_STRIPE_SECRET_KEY and PLINTH_BILLING_STRIPE_WEBHOOK_SECRET/);
    await expect(load({ PLINTH_BILLING_STRIPE_SECRET_KEY: 'pk_test_0123456789' })).rejects.toThrow(ConfigError);
    await expect(load({ PLINTH_BILLING_STRIPE_WEBHOOK_SECRET: 'secret' })).rejects.toThrow(/PLINTH_BILLING_STRIPE_WEBHOOK_SECRET/);
    await expect(load({ PLINTH_BILLING_STRIPE_API_URL: 'ftp://stripe' })).rejects.toThrow(/PLINTH_BILLING_STRIPE_API_URL/);
  });

  it('leaves Stripe out when another provider bills', async () => {
    const config = await load({ PLINTH_BILLING_PROVIDER: 'test' });
    expect(billingConfig(config).stripe).toBeNull();
  });

  it('docs/billing.md lists the webhook events the kernel applies', () => {
    const doc = readFileSync(new URL('../../../docs/billing.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Stripe'), doc.indexOf('\n## ', doc.indexOf('## Stripe') + 1));
    const step = section.slice(section.indexOf('webhook endpoint'), section.indexOf('signing secret'));
    expect([...step.matchAll(/`([a-z_.]+)`/g)].map((match) => match[1]).sort()).toEqual([...stripeBillingEvents].sort());
  });

  it('a kernel billing with Stripe refuses to boot without its secrets', async () => {
    // createTestKernel drops the scratch database of a refused boot (core/test/lifecycle/test-kernel-refused.test.ts).
    await expect(createTestKernel({ env: { PLINTH_BILLING_PROVIDER: 'stripe' } })).rejects.toThrow(/PLINTH_BILLING_STRIPE_SECRET_KEY/);
  });
});
