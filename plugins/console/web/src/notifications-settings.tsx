import { useEffect, useState } from 'preact/hooks';
import { call, get } from './api';
import { currentLanguage } from './i18n';
import { LoadedList, Table } from './list';
import { channelName, channels, choicesBody, PreferenceForm, type Channel, type CategoryChoice } from './notifications-preferences';
import { notificationText } from './notifications-messages';
import { preferenceText as t } from './notifications-preferences-messages';
import { useTenant } from './session';
import { ErrorBanner, Loading, PageHeader, Pager, useAction, useLoad, When } from './ui';
import './notifications.css';

/** A send of the workspace's notification log: its deliveries by email, SMS and WhatsApp counted, and the ones that failed or were skipped. */
interface LogEntry {
  id: string;
  plugin: string;
  template: string;
  category: string | null;
  recipients: number;
  status: 'sent' | 'partial' | 'failed';
  failure: string | null;
  created_at: string;
  deliveries: Record<DeliveryStatus, number>;
  problems: { user_id: string; channel: string; status: string; error: string | null }[];
}

type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'skipped' | 'digested';

const statusKeys: Record<string, Parameters<typeof t>[0]> = {
  sent: 'statusSent',
  partial: 'statusPartial',
  failed: 'statusFailed',
  pending: 'statusPending',
  skipped: 'statusSkipped',
  digested: 'statusDigested',
};
const deliveryStatuses: readonly DeliveryStatus[] = ['sent', 'pending', 'digested', 'skipped', 'failed'];

/** A status in the console's language (an unknown one as the API names it). */
const statusLabel = (status: string) => (statusKeys[status] ? t(statusKeys[status]) : status);

/** A channel's name in the console's language (an unknown one as the API names it). */
const channelLabel = (channel: string) => (channels.includes(channel as Channel) ? channelName(channel as Channel) : channel);

/** The workspace's notification settings (`core.notifications.manage`): its defaults per category, and the log. */
export function NotificationSettingsPage() {
  return (
    <section>
      <PageHeader title={notificationText('settingsTitle')} />
      <p class="muted">{t('settingsIntro')}</p>
      <TenantDefaults />
      <NotificationLog />
    </section>
  );
}

function TenantDefaults() {
  const tenant = useTenant();
  const settings = useLoad(() => get<{ categories: CategoryChoice[] }>('/notification-settings', { tenant: tenant.slug }), [tenant.slug, currentLanguage()]);
  const [draft, setDraft] = useState<CategoryChoice[]>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(settings.data?.categories), [settings.data]);
  const save = useAction(async () => {
    if (!draft) return;
    setSaved(false);
    const { data } = await call<{ categories: CategoryChoice[] }>('PUT', '/notification-settings', { tenant: tenant.slug, body: choicesBody(draft) });
    setDraft(data.categories);
    setSaved(true);
  });
  return (
    <div class="panel" id="notification-defaults">
      <h2>{t('defaults')}</h2>
      {settings.error ? (
        <ErrorBanner error={settings.error} />
      ) : !draft ? (
        <Loading />
      ) : draft.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <PreferenceForm
          id="tenant-defaults"
          draft={draft}
          onChange={(next) => {
            setSaved(false);
            setDraft(next);
          }}
          save={save}
          saved={saved}
          savedText={t('defaultsSaved')}
          saveText={t('saveDefaults')}
        />
      )}
    </div>
  );
}

function NotificationLog() {
  const tenant = useTenant();
  const [page, setPage] = useState(1);
  const log = useLoad(() => call<LogEntry[]>('GET', '/notification-log', { tenant: tenant.slug, query: { page, per_page: 20 } }), [tenant.slug, page]);
  return (
    <div class="panel" id="notification-log">
      <h2>{t('log')}</h2>
      <p class="muted">{t('logIntro')}</p>
      <LoadedList list={log} items={log.data?.data} empty={t('logEmpty')}>
        {(entries) => (
          <Table columns={[t('when'), t('template'), t('recipients'), t('status'), t('deliveries')]}>
            {entries.map((entry) => (
              <tr key={entry.id} data-notification={entry.id}>
                <td data-label={t('when')}>
                  <When value={entry.created_at} />
                </td>
                <td data-label={t('template')}>
                  <code>{entry.template}</code>
                </td>
                <td data-label={t('recipients')} class="number">
                  {entry.recipients}
                </td>
                <td data-label={t('status')}>
                  <span class={entry.status === 'sent' ? 'badge on' : 'badge warn'}>{statusLabel(entry.status)}</span>
                  {entry.failure && (
                    <div class="log-failure">
                      <span class="visually-hidden">{t('failure')}: </span>
                      <bdi>{entry.failure}</bdi>
                    </div>
                  )}
                </td>
                <td data-label={t('deliveries')} class="wrap">
                  <DeliverySummary entry={entry} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </LoadedList>
      <Pager pagination={log.data?.pagination} onPage={setPage} />
    </div>
  );
}

/** A send's deliveries: how many are in each state, then each failed or skipped one with its reason. */
function DeliverySummary({ entry }: { entry: LogEntry }) {
  const counted = deliveryStatuses.filter((status) => entry.deliveries[status] > 0);
  if (counted.length === 0) return <span class="muted">{t('noDeliveries')}</span>;
  return (
    <>
      <p class="log-counts">{counted.map((status) => t('deliveryCount', { status: statusLabel(status), count: entry.deliveries[status] })).join(' · ')}</p>
      {entry.problems.length > 0 && (
        <ul class="log-deliveries">
          {entry.problems.map((problem, index) => (
            <li key={index}>
              {t('problem', { channel: channelLabel(problem.channel), status: statusLabel(problem.status) })}
              {problem.error && (
                <div class="log-failure">
                  <bdi>{problem.error}</bdi>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
