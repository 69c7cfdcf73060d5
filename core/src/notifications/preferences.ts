import { notificationChannels, type NotificationChannel, type NotificationDigest } from '@plinth/sdk';
import type { ScopedDb } from '../db/scoped-db.js';
import { defaultChannels, type DeclaredCategory } from './declarations.js';

/** Channel → enabled, as a person or the tenant changed them from the category's defaults. */
export type ChannelChoices = Partial<Record<NotificationChannel, boolean>>;

/** A stored choice (`notification_preferences` or `notification_defaults`) for one category. */
export interface StoredChoice {
  channels: ChannelChoices;
  digest: NotificationDigest | null;
}

/** How one person hears of a category: each channel on or off (and whether it may be changed), and the digest. */
export interface EffectiveChoice {
  channels: Record<NotificationChannel, { enabled: boolean; locked: boolean }>;
  digest: NotificationDigest;
}

/** Channels a required category keeps on whatever anyone chose. */
const requiredChannels: readonly NotificationChannel[] = ['inapp', 'email'];

/** The person's choice over the tenant's default over the category's own default; a required category keeps in-app and email on. */
export function effectiveChoice(category: DeclaredCategory, tenantDefault: StoredChoice | undefined, person: StoredChoice | undefined): EffectiveChoice {
  const defaults = defaultChannels(category);
  const channels = {} as EffectiveChoice['channels'];
  for (const channel of notificationChannels) {
    const locked = category.required === true && requiredChannels.includes(channel);
    const enabled = locked || (person?.channels[channel] ?? tenantDefault?.channels[channel] ?? defaults.has(channel));
    channels[channel] = { enabled, locked };
  }
  return { channels, digest: person?.digest ?? tenantDefault?.digest ?? category.digest ?? 'instant' };
}

/** The tenant's default for each of `categories` (absent: none set). */
export async function tenantDefaults(db: ScopedDb, categories: readonly string[]): Promise<Map<string, StoredChoice>> {
  const rows = await db.query<StoredChoice & { category: string }>('select category, channels, digest from notification_defaults where category = any($1)', [
    categories,
  ]);
  return new Map(rows.map((row) => [row.category, { channels: row.channels, digest: row.digest }]));
}

/** People's choices for a category, by user id. */
export async function personChoices(db: ScopedDb, category: string, userIds: readonly string[]): Promise<Map<string, StoredChoice>> {
  const rows = await db.query<StoredChoice & { user_id: string }>(
    'select user_id, channels, digest from notification_preferences where category = $1 and user_id = any($2)',
    [category, userIds],
  );
  return new Map(rows.map((row) => [row.user_id, { channels: row.channels, digest: row.digest }]));
}

/** One person's choices, by category. */
export async function choicesOf(db: ScopedDb, userId: string): Promise<Map<string, StoredChoice>> {
  const rows = await db.query<StoredChoice & { category: string }>('select category, channels, digest from notification_preferences where user_id = $1', [
    userId,
  ]);
  return new Map(rows.map((row) => [row.category, { channels: row.channels, digest: row.digest }]));
}
