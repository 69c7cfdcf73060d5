import type { TestKernel, TestResponse, TestUser } from '@plinth/core/testing';

/** The host page requests are sent as (redirects are then not followed, so tests see each 303). */
const host = 'localhost';

/** A page request as a browser sends it: the page cookie when signed in, a form body and a same-site Origin on POST. */
export function page(
  t: TestKernel,
  method: 'GET' | 'POST',
  path: string,
  options: { cookie?: string; form?: Record<string, string> } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { host };
  if (options.cookie) headers.cookie = options.cookie;
  if (method === 'POST') {
    headers.origin = `http://${host}`;
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  return t.request(method, path, { headers, ...(method === 'POST' ? { body: new URLSearchParams(options.form ?? {}).toString() } : {}) });
}

function cookieOf(response: TestResponse): string {
  const match = /plinth_page=([^;]+)/.exec(response.headers.get('set-cookie') ?? '');
  if (response.status !== 303 || !match) throw new Error(`no page session: ${response.status} ${String(response.body).slice(0, 300)}`);
  return `plinth_page=${match[1]}`;
}

/** Signs a staff user in on the tenant's pages with their password; returns the `Cookie` header value. */
export async function staffCookie(t: TestKernel, tenantSlug: string, user: TestUser): Promise<string> {
  return cookieOf(await page(t, 'POST', `/c/${tenantSlug}/account/sign-in`, { form: { method: 'password', email: user.email, password: user.password } }));
}

/** A new customer of the tenant (through the test plugin `customer-maker`) signed in on its pages: their id and cookie. */
export async function customerSession(t: TestKernel, tenantSlug: string, email: string): Promise<{ userId: string; cookie: string }> {
  const made = await t.request('POST', '/api/v1/customer-maker/customers', { headers: { 'x-tenant': tenantSlug }, body: { email, next: '/learn' } });
  if (made.status !== 200) throw new Error(`customer: ${made.status} ${JSON.stringify(made.body)}`);
  return { userId: made.body.data.user_id, cookie: await redeem(t, made.body.data.link) };
}

/** Uses a sign-in link as a browser does (Continue → POST): returns the `Cookie` header value. */
export async function redeem(t: TestKernel, link: string): Promise<string> {
  const url = new URL(link);
  return cookieOf(await page(t, 'POST', url.pathname, { form: { token: url.searchParams.get('token') ?? '' } }));
}
