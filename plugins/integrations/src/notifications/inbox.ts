import type { TenantDb } from '@plinth/sdk';

/** An in-app notification for members. */
export interface InboxItem {
  title: string;
  body: string;
  eventName: string | null;
}

/** Puts `item` in each member's in-app inbox. */
export async function addToInbox(db: TenantDb, userIds: readonly string[], item: InboxItem): Promise<void> {
  if (userIds.length === 0) return;
  await db.query('insert into integrations_inbox (user_id, title, body, event_name) select unnest($1::uuid[]), $2, $3, $4', [
    userIds,
    item.title,
    item.body,
    item.eventName,
  ]);
}
