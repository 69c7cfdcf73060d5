import { useState } from 'preact/hooks';
import { call, get } from './api';
import { navigate } from './router';
import { tenantPath } from './session';
import type { OperatorSession } from './support-banner';
import { supportChanged } from './support-session';
import { supportText as t } from './support-messages';
import { Dialog, DialogActions, ErrorBanner, errorsFor, Field, Form, TextInput, useAction, useLoad, When } from './ui';

/**
 * The admin tenant page's support access panel: the operator's open session in the tenant (open the tenant,
 * withdraw or end it), or the button asking for one with a reason and a duration.
 */
export function SupportRequestPanel({ tenant }: { tenant: { id: string; slug: string; name: string } }) {
  const sessions = useLoad(() => get<OperatorSession[]>('/admin/support-access', { query: { tenant_id: tenant.id, per_page: 20 } }), [tenant.id]);
  const [asking, setAsking] = useState(false);
  const open = sessions.data?.find((session) => session.status === 'pending' || session.status === 'active');
  const end = useAction(async () => {
    await call('DELETE', `/admin/support-access/${open!.id}`);
    supportChanged();
    sessions.reload();
  });
  return (
    <div class="panel">
      <h2>{t('requestTitle')}</h2>
      <ErrorBanner error={sessions.error ?? end.error} />
      {open ? (
        <>
          <p role="status">{open.status === 'pending' ? t('sessionPending') : t.rich('sessionActive', { until: <When value={open.expires_at} /> })}</p>
          <p class="muted">{open.reason}</p>
          {open.status === 'active' && (
            <button type="button" onClick={() => navigate(tenantPath(tenant.slug))}>
              {t('openTenant')}
            </button>
          )}{' '}
          <button type="button" class="secondary" disabled={end.busy} onClick={() => void end.run()}>
            {open.status === 'pending' ? t('withdraw') : t('endNow')}
          </button>
        </>
      ) : (
        <>
          <p>{t('requestExplain', { name: tenant.name })}</p>
          <button type="button" onClick={() => setAsking(true)}>
            {t('requestButton')}
          </button>
        </>
      )}
      {asking && (
        <RequestDialog
          tenant={tenant}
          onClose={() => setAsking(false)}
          onSent={() => {
            setAsking(false);
            sessions.reload();
          }}
        />
      )}
    </div>
  );
}

function RequestDialog({ tenant, onClose, onSent }: { tenant: { id: string; name: string }; onClose(): void; onSent(): void }) {
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('60');
  const { busy, error, run } = useAction(async () => {
    await call('POST', `/admin/tenants/${tenant.id}/support-access`, { body: { reason, minutes: Number(minutes) } });
    onSent();
  });
  const reasonErrors = errorsFor(error, 'reason');
  return (
    <Dialog title={t('requestTitle')} onClose={onClose}>
      <Form noValidate onSubmit={run}>
        <p>{t('requestExplain', { name: tenant.name })}</p>
        <ErrorBanner error={error} placed={['reason', 'minutes']} />
        <Field id="support-reason" label={t('reasonLabel')} required hint={t('reasonHint')} errors={reasonErrors}>
          <textarea
            id="support-reason"
            value={reason}
            required
            minLength={5}
            maxLength={500}
            rows={3}
            aria-invalid={reasonErrors.length > 0 ? 'true' : undefined}
            aria-describedby={reasonErrors.length > 0 ? 'support-reason-error' : 'support-reason-hint'}
            onInput={(event) => setReason((event.currentTarget as HTMLTextAreaElement).value)}
          />
        </Field>
        <TextInput
          id="support-minutes"
          label={t('minutesLabel')}
          type="number"
          value={minutes}
          onInput={setMinutes}
          required
          hint={t('minutesHint')}
          errors={errorsFor(error, 'minutes')}
        />
        <DialogActions onCancel={onClose} busy={busy}>
          {t('send')}
        </DialogActions>
      </Form>
    </Dialog>
  );
}
