import { markRead, type InboxChange, type InboxItem } from './notifications-live';
import { notificationText as t } from './notifications-messages';
import { navigate } from './router';
import { When } from './ui';

/** A list of inbox items with a change applied: an arrival on top (once), a read item marked read. */
export function applyChange(items: readonly InboxItem[], change: InboxChange): InboxItem[] {
  if (change.kind === 'added') return items.some((item) => item.id === change.item.id) ? [...items] : [change.item, ...items];
  return items.map((item) => (item.read_at || (change.id !== null && item.id !== change.id) ? item : { ...item, read_at: change.at }));
}

/**
 * Opens where an item leads, marking it read first: console paths within the app, workspace pages (`/c/…`) as a
 * page load. A click with a modifier (a new tab) is left to the browser, and the item is still marked read.
 */
function follow(event: MouseEvent, tenant: string, item: InboxItem, onFollow: (() => void) | undefined): void {
  const read = item.read_at ? Promise.resolve() : markRead(tenant, item.id).catch(() => undefined);
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  onFollow?.();
  const url = item.url!;
  void read.then(() => (url.startsWith('/t/') ? navigate(url) : window.location.assign(url)));
}

/** One notification: its title (a link when it leads somewhere), text, category and time, and "Mark as read". */
export function NotificationEntry(props: { tenant: string; item: InboxItem; onFollow?: () => void; onError(error: unknown): void }) {
  const { tenant, item, onFollow, onError } = props;
  const unread = !item.read_at;
  return (
    <li class={unread ? 'notification unread' : 'notification'} data-notification={item.id}>
      <span class="notification-dot" aria-hidden="true" />
      <div class="notification-text">
        <p class="notification-title">
          {unread && <span class="visually-hidden">{t('unreadMark')}: </span>}
          {item.url ? (
            <a href={item.url} onClick={(event) => follow(event, tenant, item, onFollow)}>
              <bdi>{item.title}</bdi>
            </a>
          ) : (
            <bdi>{item.title}</bdi>
          )}
        </p>
        {item.body && (
          <p class="notification-body">
            <bdi>{item.body}</bdi>
          </p>
        )}
        <p class="notification-meta muted">
          <bdi>{item.category_label}</bdi> · <When value={item.created_at} />
        </p>
      </div>
      {unread && (
        <button type="button" class="secondary small" onClick={() => void markRead(tenant, item.id).catch(onError)}>
          {t('markRead')}
          <span class="visually-hidden">{t('markReadOf', { title: item.title })}</span>
        </button>
      )}
    </li>
  );
}
