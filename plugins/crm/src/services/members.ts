import type { PluginMembers } from '@plinth/sdk';

/** Member emails (lower-cased) → user ids, for the import's `owner_email` column. */
export async function membersByEmail(members: PluginMembers): Promise<Map<string, string>> {
  return new Map((await members.list()).map((member) => [member.email.toLowerCase(), member.userId]));
}
