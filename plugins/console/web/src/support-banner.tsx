import { useEffect, useState } from 'preact/hooks';
import { call, get } from './api';
import { navigate } from './router';
import { tenantPath, useSession, type TenantSession } from './session';
import { accessLabel, onSupportChanged, type SupportSession } from './support-session';
import { supportText as t } from './support-messages';
import { ErrorBanner, useAction, useLoad, When } from './ui';

/** A host operator's session as `GET /admin/support-access` lists it: with the tenant it opens. */
export type OperatorSession = SupportSession & { tenant: { id: string; slug: string; name: string } };

/**
 * What every tenant page shows of support access: to a host operator inside a tenant they are no member of, the
 * session's banner (reason, access, time left, End now); to the tenant's owners, a notice while one runs or waits.
 */
export function SupportBanner() {
  const { me, tenant } = useSession();
  if (!tenant) return null;
  const member = me.memberships.some((membership) => membership.tenant.slug === tenant.slug);
  if (!member && me.is_super_admin) return <OperatorBanner tenant={tenant} />;
  if (member && tenant.can('core.support.manage')) return <TenantNotice tenant={tenant} />;
  return null;
}

/** Loads `load` again after each change of support sessions made on this page. */
function useReloadOnChange(reload: () => void): void {
  useEffect(() => onSupportChanged(reload), [reload]);
}

/** Minutes until `iso`, at least 0; re-rendered every 15 s while shown. */
function useMinutesLeft(iso: string | null | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return iso ? Math.max(0, Math.ceil((Date.parse(iso) - now) / 60_000)) : 0;
}

function OperatorBanner({ tenant }: { tenant: TenantSession }) {
  const sessions = useLoad(() => get<OperatorSession[]>('/admin/support-access', { query: { status: 'active', per_page: 100 } }), [tenant.slug]);
  useReloadOnChange(sessions.reload);
  const session = sessions.data?.find((candidate) => candidate.tenant.slug === tenant.slug);
  const left = useMinutesLeft(session?.expires_at);
  const end = useAction(async () => {
    await call('DELETE', `/admin/support-access/${session!.id}`);
    navigate(`/admin/tenants/${session!.tenant.id}`);
  });
  // Past its end the API refuses the operator already: the banner goes with it.
  if (!session || left === 0) return null;
  const access = session.role ? t('bannerAccessRole', { role: session.role.name }) : t('bannerAccessReadOnly');
  return (
    <div class="banner warning support-banner" role="status">
      <p>
        <strong>{t('bannerText', { name: session.tenant.name, access, left: t('timeLeft', { minutes: left }), reason: session.reason })}</strong>
      </p>
      <ErrorBanner error={end.error} />
      <button type="button" class="danger" disabled={end.busy} onClick={() => void end.run()}>
        {t('endNow')}
      </button>
    </div>
  );
}

function TenantNotice({ tenant }: { tenant: TenantSession }) {
  const sessions = useLoad(() => get<SupportSession[]>('/support-access', { tenant: tenant.slug, query: { per_page: 20 } }), [tenant.slug]);
  useReloadOnChange(sessions.reload);
  const running = sessions.data?.filter((session) => session.status === 'active') ?? [];
  const pending = sessions.data?.filter((session) => session.status === 'pending') ?? [];
  if (running.length === 0 && pending.length === 0) return null;
  const review = tenantPath(tenant.slug, '/support-access');
  return (
    <div class="banner warning support-banner" role="status">
      {running.map((session) => (
        <p key={session.id}>
          {t.rich('tenantNotice', {
            operator: session.operator.email,
            access: accessLabel(session),
            until: <When value={session.expires_at} />,
            reason: session.reason,
          })}
        </p>
      ))}
      {pending.length > 0 && <p>{t('tenantPendingNotice', { count: pending.length })}</p>}
      <a href={review}>{t('review')}</a>
    </div>
  );
}
