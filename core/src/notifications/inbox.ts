import { Type } from '@sinclair/typebox';
import type { ScopedDb } from '../db/scoped-db.js';
import { toJson, type Plugin } from '@plinth/sdk';
import { notificationCatalogue } from './declarations.js';
import { translate } from './render.js';

/** An item of a person's inbox, as the API shows it. */
export const NotificationItemView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    category: Type.String(),
    category_label: Type.String({ description: "The category's label in the reader's language" }),
    title: Type.String(),
    body: Type.String(),
    url: Type.Union([Type.String(), Type.Null()], { description: 'Console or customer page path it leads to' }),
    read_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** A stored inbox item. */
export interface ItemRow {
  id: string;
  category: string;
  title: string;
  body: string;
  url: string | null;
  read_at: Date | null;
  created_at: Date;
}

export const itemColumns = 'id, category, title, body, url, read_at, created_at';

/** An item as the API shows it, its category's label in `locale`. */
export function presentItem(row: ItemRow, plugins: readonly Plugin[], locale: string) {
  const catalogue = notificationCatalogue(plugins);
  const category = catalogue.categories.get(row.category);
  const label = category ? translate(category.label, catalogue.translationsOf(category.plugin), locale) : row.category;
  return toJson({ ...row, category_label: label });
}

/** How many items of the person's inbox (in the transaction's tenant) are unread. */
export async function unreadCount(db: ScopedDb, userId: string): Promise<number> {
  const row = await db.one<{ unread: number }>('select count(*)::int as unread from notification_items where user_id = $1 and read_at is null', [userId]);
  return row?.unread ?? 0;
}

/** The language a person reads in this tenant: their own, else the tenant's. */
export async function readerLocale(db: ScopedDb, userId: string, tenantLocale: string): Promise<string> {
  const row = await db.one<{ locale: string | null }>('select locale from tenant_accounts where user_id = $1', [userId]);
  return row?.locale ?? tenantLocale;
}
