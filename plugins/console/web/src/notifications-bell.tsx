import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { call } from './api';
import { formatNumber } from './format';
import { Icon } from './icons';
import { applyChange, NotificationEntry } from './notifications-entry';
import { markAllRead, useInboxChanges, useNotificationStream, useUnread, type InboxChange, type InboxItem } from './notifications-live';
import { notificationText as t } from './notifications-messages';
import { tenantPath } from './session';
import { ErrorBanner, Loading } from './ui';
import './notifications.css';

/** How many of the latest items the bell's panel shows. */
const panelSize = 8;

/**
 * The shell's bell: the unread count of the workspace's inbox, live; a press opens the latest items, with
 * "Mark all as read" and a link to the inbox page. Escape or a click outside closes it. New items are announced
 * to screen readers.
 */
export function NotificationBell({ tenant }: { tenant: string }) {
  useNotificationStream(tenant);
  const unread = useUnread(tenant) ?? 0;
  const [open, setOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useInboxChanges(
    tenant,
    useCallback((change: InboxChange) => {
      if (change.kind === 'added') setAnnouncement(t('announce', { title: change.item.title }));
    }, []),
  );
  useEffect(() => setOpen(false), [tenant]);
  // A layout effect: the listeners are in place once the panel shows, so an Escape pressed at once is not lost.
  useLayoutEffect(() => {
    if (!open) return;
    const outside = (event: Event) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('focusin', outside);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('focusin', outside);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
  return (
    <div class="bell" ref={wrapper}>
      <button
        ref={button}
        type="button"
        class="icon bell-button"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="notification-panel"
        aria-label={t('bell', { unread })}
        onClick={() => setOpen(!open)}
      >
        <Icon name="bell" />
        {unread > 0 && (
          <span class="bell-badge" aria-hidden="true">
            {formatNumber(unread)}
          </span>
        )}
      </button>
      <span class="visually-hidden" role="status">
        {announcement}
      </span>
      {open && <NotificationPanel tenant={tenant} unread={unread} onClose={() => setOpen(false)} />}
    </div>
  );
}

/** The bell's panel: the latest items, live. */
function NotificationPanel({ tenant, unread, onClose }: { tenant: string; unread: number; onClose(): void }) {
  const [items, setItems] = useState<InboxItem[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    call<InboxItem[]>('GET', '/notifications', { tenant, query: { per_page: panelSize } }).then(
      ({ data }) => live && setItems(data),
      (caught: unknown) => live && setError(caught),
    );
    return () => {
      live = false;
    };
  }, [tenant]);
  useInboxChanges(
    tenant,
    useCallback((change: InboxChange) => setItems((shown) => shown && applyChange(shown, change).slice(0, panelSize)), []),
  );
  const readAll = async () => {
    setBusy(true);
    setError(undefined);
    await markAllRead(tenant).catch(setError);
    setBusy(false);
  };
  return (
    <div id="notification-panel" class="bell-panel" role="region" aria-labelledby="notification-panel-title">
      <div class="bell-panel-head">
        <h2 id="notification-panel-title">{t('latest')}</h2>
        <button type="button" class="secondary small" disabled={busy || unread === 0} onClick={() => void readAll()}>
          {t('markAllRead')}
        </button>
      </div>
      <ErrorBanner error={error} />
      {!items && !error ? (
        <Loading />
      ) : items?.length === 0 ? (
        <p class="muted bell-empty">{t('empty')}</p>
      ) : (
        <ul class="notification-list">
          {items?.map((item) => (
            <NotificationEntry key={item.id} tenant={tenant} item={item} onFollow={onClose} onError={setError} />
          ))}
        </ul>
      )}
      <p class="bell-all">
        <a href={tenantPath(tenant, '/notifications')} onClick={onClose}>
          {t('seeAll')}
        </a>
      </p>
    </div>
  );
}
