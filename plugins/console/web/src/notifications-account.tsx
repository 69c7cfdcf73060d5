import { useEffect, useState } from 'preact/hooks';
import { call, get } from './api';
import { currentLanguage } from './i18n';
import { lastNotifiedTenant } from './notifications-live';
import { NotificationPhone, type PhoneState } from './notifications-phone';
import { choicesBody, PreferenceForm, type CategoryChoice } from './notifications-preferences';
import { preferenceText as t } from './notifications-preferences-messages';
import { useSession } from './session';
import { ErrorBanner, Field, Loading, useAction, useLoad } from './ui';
import './notifications.css';

/** `GET /me/notification-preferences`: the person's choices in a workspace, and their phone number. */
interface Preferences {
  categories: CategoryChoice[];
  phone: PhoneState;
}

/**
 * On the account page: how the person hears of each kind of notification in a workspace (the one shown last, or
 * one they pick), saved with one button; then their phone number for SMS and WhatsApp.
 */
export function AccountNotifications() {
  const { me } = useSession();
  const workspaces = me.memberships.map((membership) => membership.tenant);
  const [slug, setSlug] = useState(() => workspaces.find((tenant) => tenant.slug === lastNotifiedTenant())?.slug ?? workspaces[0]?.slug);
  const preferences = useLoad(
    () => (slug ? get<Preferences>('/me/notification-preferences', { tenant: slug }) : Promise.resolve(undefined)),
    // Labels come in the saved language: asked again once a new one is saved (`me.locale`), not only when shown.
    [slug, currentLanguage(), me.locale],
  );
  const [draft, setDraft] = useState<CategoryChoice[]>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(preferences.data?.categories), [preferences.data]);
  const save = useAction(async () => {
    if (!slug || !draft) return;
    setSaved(false);
    const { data } = await call<Preferences>('PUT', '/me/notification-preferences', { tenant: slug, body: choicesBody(draft) });
    setDraft(data.categories);
    setSaved(true);
  });
  const phone = preferences.data?.phone;
  return (
    <>
      <div class="panel" id="notification-preferences">
        <h2>{t('title')}</h2>
        {!slug ? (
          <p class="muted">{t('noWorkspace')}</p>
        ) : (
          <>
            <p class="muted">{t('intro')}</p>
            {workspaces.length > 1 && (
              <Field id="notification-workspace" label={t('workspace')}>
                <select
                  id="notification-workspace"
                  value={slug}
                  onChange={(event) => {
                    setSaved(false);
                    setSlug((event.currentTarget as HTMLSelectElement).value);
                  }}
                >
                  {workspaces.map((tenant) => (
                    <option key={tenant.slug} value={tenant.slug}>
                      {tenant.name}
                    </option>
                  ))}
                </select>
              </Field>
            )}
            {preferences.error ? (
              <ErrorBanner error={preferences.error} />
            ) : !draft || preferences.loading ? (
              <Loading />
            ) : draft.length === 0 ? (
              <p class="muted">{t('none')}</p>
            ) : (
              <PreferenceForm
                id="account-preferences"
                draft={draft}
                onChange={(next) => {
                  setSaved(false);
                  setDraft(next);
                }}
                save={save}
                saved={saved}
                savedText={t('saved')}
                saveText={t('save')}
              >
                {phone && !phone.verified && <p class="hint">{t('needsPhone')}</p>}
              </PreferenceForm>
            )}
          </>
        )}
      </div>
      {slug && phone && <NotificationPhone key={slug} tenant={slug} phone={phone} />}
    </>
  );
}
