import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { call, queryString } from './api';
import { LoadedList, pageOf } from './list';
import { applyChange, NotificationEntry } from './notifications-entry';
import { markAllRead, useInboxChanges, useUnread, type InboxChange, type InboxItem } from './notifications-live';
import { notificationText as t } from './notifications-messages';
import { navigate, type Location } from './router';
import { useTenant } from './session';
import { ErrorBanner, PageHeader, Pager, useAction, useLoad } from './ui';
import './notifications.css';

/** Items per page of the inbox. */
const perPage = 20;

/** The signed-in person's inbox in the workspace: every item or the unread ones, page by page, live on the first page. */
export function NotificationsPage({ location }: { location: Location }) {
  const tenant = useTenant();
  const unreadOnly = location.query.get('unread') === 'true';
  const page = pageOf(location);
  const list = useLoad(
    () => call<InboxItem[]>('GET', '/notifications', { tenant: tenant.slug, query: { page, per_page: perPage, unread: unreadOnly ? 'true' : undefined } }),
    [tenant.slug, page, unreadOnly, location.key],
  );
  const [items, setItems] = useState<InboxItem[]>();
  // Items that arrived since the page was loaded: counted in the total below.
  const [arrived, setArrived] = useState(0);
  useEffect(() => {
    setItems(list.data?.data);
    setArrived(0);
  }, [list.data]);
  // Whether the list is being fetched: an arrival then may or may not be in what comes back.
  const loading = useRef(true);
  loading.current = list.loading;
  const { reload } = list;
  useInboxChanges(
    tenant.slug,
    useCallback(
      (change: InboxChange) => {
        // An arrival belongs on the first page only; a read item stays in place (marked read) rather than jump away.
        if (change.kind === 'added' && page !== 1) return;
        // The list asked before the item was committed would come back without it: ask again, now that it is.
        if (change.kind === 'added' && loading.current) return reload();
        if (change.kind === 'added') setArrived((count) => count + 1);
        setItems((shown) => shown && applyChange(shown, change));
      },
      [page, reload],
    ),
  );
  const pagination = list.data?.pagination;
  const total = (pagination?.total ?? 0) + arrived;
  const unread = useUnread(tenant.slug) ?? 0;
  const [done, setDone] = useState<string>();
  const readAll = useAction(async () => {
    setDone(undefined);
    setDone(t('markedAll', { updated: await markAllRead(tenant.slug) }));
  });
  const [itemError, setItemError] = useState<unknown>();
  const at = (query: { unread?: boolean; page?: number }) =>
    `${location.path}${queryString({ unread: query.unread ? 'true' : undefined, page: query.page && query.page > 1 ? query.page : undefined })}`;
  return (
    <section class="notification-page">
      <PageHeader title={t('title')}>
        <button type="button" class="secondary" disabled={readAll.busy || unread === 0} onClick={() => void readAll.run()}>
          {t('markAllRead')}
        </button>
      </PageHeader>
      <p class="muted">
        {t('intro')} <a href="/account#notification-preferences">{t('preferencesLink')}</a>
      </p>
      <nav class="notification-filter" aria-label={t('filter')}>
        <a href={at({})} aria-current={unreadOnly ? undefined : 'page'}>
          {t('all')}
        </a>
        <a href={at({ unread: true })} aria-current={unreadOnly ? 'page' : undefined}>
          {t('unreadOnly')}
        </a>
      </nav>
      <ErrorBanner error={readAll.error ?? itemError} />
      {done && (
        <p class="banner success" role="status">
          {done}
        </p>
      )}
      <div class="panel notification-inbox">
        <LoadedList list={list} items={items} empty={unreadOnly ? t('emptyUnread') : t('empty')}>
          {(shown) => (
            <ul class="notification-list">
              {shown.map((item) => (
                <NotificationEntry key={item.id} tenant={tenant.slug} item={item} onError={setItemError} />
              ))}
            </ul>
          )}
        </LoadedList>
      </div>
      <Pager
        pagination={pagination && { ...pagination, total, total_pages: Math.ceil(total / pagination.per_page) }}
        onPage={(next) => navigate(at({ unread: unreadOnly, page: next }))}
      />
    </section>
  );
}
