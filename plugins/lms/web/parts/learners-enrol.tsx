/// <reference lib="dom" />
import type { ConsoleApiError, ConsoleContext } from '@plinth/sdk/web';
import { useState } from 'preact/hooks';
import { apiError, type EmailEnrollment } from './learners-api';

/** The addresses typed into the field: split on commas, semicolons, spaces and new lines. */
function addresses(text: string): string[] {
  return text.split(/[\s,;]+/).filter((part) => part !== '');
}

/** Messages of a failed enrolment, each beside the address it is about (`emails.2` → the third address). */
function problems(error: ConsoleApiError, sent: string[]): string[] {
  return Object.entries(error.errors ?? {}).flatMap(([path, messages]) => {
    const index = /^emails\.(\d+)$/.exec(path)?.[1];
    const email = index === undefined ? undefined : sent[Number(index)];
    return messages.map((message) => (email ? `${email}: ${message}` : message));
  });
}

/** "Enrol learners": one or several email addresses; people without an account get one; each new learner is notified. */
export function EnrolForm({ plinth, courseId, onEnrolled }: { plinth: ConsoleContext; courseId: string; onEnrolled(): void }) {
  const { t } = plinth;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; details: string[] }>();

  async function submit(event: Event) {
    event.preventDefault();
    const emails = addresses(text);
    if (emails.length === 0) {
      setError({ message: t('Type at least one email address.'), details: [] });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await plinth.call<EmailEnrollment[]>('POST', `/lms/courses/${courseId}/enrollments/by-email`, { body: { emails } });
      const enrolled = data.filter((line) => line.enrolled).length;
      const already = data.length - enrolled;
      const parts = [t('{count, plural, one {# learner enrolled.} other {# learners enrolled.}}', { count: enrolled })];
      if (already > 0) parts.push(t('{count, plural, one {# was already enrolled.} other {# were already enrolled.}}', { count: already }));
      plinth.announce(parts.join(' '));
      setText('');
      onEnrolled();
    } catch (caught) {
      const failure = apiError(caught);
      setError({ message: failure.message, details: problems(failure, emails) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel learners-enrol" aria-labelledby="learners-enrol-title">
      <h2 id="learners-enrol-title">{t('Enrol learners')}</h2>
      <form onSubmit={submit} noValidate>
        <div class={`field${error ? ' invalid' : ''}`}>
          <label for="learners-emails">{t('Email addresses')}</label>
          <textarea
            id="learners-emails"
            rows={3}
            value={text}
            dir="ltr"
            autocomplete="off"
            spellcheck={false}
            aria-describedby="learners-emails-hint"
            aria-invalid={error ? 'true' : undefined}
            onInput={(event) => setText(event.currentTarget.value)}
          />
          <p id="learners-emails-hint" class="hint">
            {t(
              'One or several, separated by commas or new lines. People without an account get one, and each new learner is notified: in their inbox, and by email unless they turned that off.',
            )}
          </p>
        </div>
        {error && (
          <div class="banner error" role="alert">
            <p>{error.message}</p>
            {error.details.length > 0 && (
              <ul>
                {error.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('Enrolling…') : t('Enrol')}
          </button>
        </div>
      </form>
    </section>
  );
}
