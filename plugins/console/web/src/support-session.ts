import { supportText as t } from './support-messages';

/** A support session as `GET /support-access` (and the host's `GET /admin/support-access`) answers it. */
export interface SupportSession {
  id: string;
  tenant_id: string;
  operator: { user_id: string; email: string; name: string };
  reason: string;
  minutes: number;
  status: 'pending' | 'active' | 'expired' | 'denied' | 'ended';
  read_only: boolean;
  requested_role: { id: string; name: string } | null;
  role: { id: string; name: string } | null;
  decided_at: string | null;
  expires_at: string | null;
  ended_at: string | null;
  ended_by: 'operator' | 'tenant' | null;
  created_at: string;
}

const statusLabels = {
  pending: 'statusPending',
  active: 'statusActive',
  expired: 'statusExpired',
  denied: 'statusDenied',
  ended: 'statusEnded',
} as const;

/** A session's status, in words. */
export function statusLabel(status: SupportSession['status']): string {
  return t(statusLabels[status]);
}

/** What a session gives: read-only, or a role. */
export function accessLabel(session: Pick<SupportSession, 'role' | 'read_only'>): string {
  return session.role ? t('role', { role: session.role.name }) : t('readOnly');
}

/** Support sessions changed on this page (requested, approved, denied, ended): the banners load them again. */
const changes = new EventTarget();

export function supportChanged(): void {
  changes.dispatchEvent(new Event('change'));
}

/** Calls `listener` after each {@link supportChanged}; returns the unsubscribe function. */
export function onSupportChanged(listener: () => void): () => void {
  changes.addEventListener('change', listener);
  return () => changes.removeEventListener('change', listener);
}
