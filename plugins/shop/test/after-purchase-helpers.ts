import type { TestKernel, TestUser } from '@plinth/core/testing';
import { expect } from 'vitest';
import { eventually, GOOD_CARD, shopApi } from './helpers.js';

/** A mail in the development outbox, as the test kit reads it. */
export type OutboxMail = Awaited<ReturnType<TestKernel['mailbox']>>[number];

/**
 * Staff place an order for `email` (a guest buyer: no account yet) and it is paid through the test gateway and its
 * webhook; every job (invoice, mails) has run when it returns.
 */
export async function guestPaidOrder(
  t: TestKernel,
  owner: TestUser,
  buyer: { email: string; name?: string },
  items: { variant_id: string; quantity: number }[],
): Promise<string> {
  const api = shopApi(t, owner);
  const placed = await api('POST', '/orders', { customer: buyer, items });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  const orderId = placed.body.data.id as string;
  const checkout = await api('POST', `/orders/${orderId}/checkout`);
  expect(checkout.status).toBe(200);
  const confirmed = await t.request('POST', `/api/v1/payments/intents/${checkout.body.data.payment_intent.id}/confirm`, {
    headers: owner.headers,
    body: { payment_method: GOOD_CARD },
  });
  expect(confirmed.status).toBe(200);
  await eventually(async () => {
    await t.drainJobs();
    await t.drainEvents();
    return (await api('GET', `/orders/${orderId}`)).body.data.status === 'paid';
  });
  await t.drainJobs();
  return orderId;
}

/** The mails to `to` whose subject contains `subject`. */
export async function mailsTo(t: TestKernel, to: string, subject: string): Promise<OutboxMail[]> {
  return (await t.mailbox(to)).filter((mail) => mail.subject.includes(subject));
}

/** The sign-in links (`…/account/link?token=…`) of a mail's text, by the label before them. */
export function signInLinks(mail: OutboxMail): Map<string, URL> {
  const links = new Map<string, URL>();
  for (const match of mail.text.matchAll(/^(.+): (https?:\/\/\S+\/account\/link\?token=\S+)$/gm)) links.set(match[1]!, new URL(match[2]!));
  return links;
}

/** Uses a sign-in link through the headless API: the signed-in user's id and headers for the link's tenant. */
export async function redeem(t: TestKernel, link: URL, tenantSlug: string): Promise<{ userId: string; headers: Record<string, string> }> {
  const response = await t.request('POST', '/api/v1/customers/auth/verify', {
    headers: { 'x-tenant': tenantSlug },
    body: { token: link.searchParams.get('token') },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { userId: response.body.data.user.id, headers: { authorization: `Bearer ${response.body.data.tokens.access_token}`, 'x-tenant': tenantSlug } };
}
