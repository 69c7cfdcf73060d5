/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { moved, reorderKey, useSortable } from '../../../../web-kit/sortable';
import { fieldErrors, type Lesson } from './builder-api';
import { ConfirmDialog, type Confirmation } from './builder-confirm';
import { blankQuestion, draftOf, quizBody, type DraftQuiz, type StoredQuiz } from './quiz-model';
import { FieldMessages, invalid, QuestionEditor } from './quiz-question';
import './builder.css';

/** A draft without its list keys, as text: equal texts, same quiz. */
const snapshot = (draft: DraftQuiz) => JSON.stringify({ ...draft, questions: draft.questions.map(({ key: _key, ...question }) => question) });

/**
 * The quiz of a lesson (`?lesson=<id>`), created on first save: its settings (pass mark, attempts, time limit),
 * its questions of every kind the API knows with the correct answers marked, reordered by drag or arrow keys.
 * Problems found before sending and those the API answers show beside the fields they concern.
 */
export function QuizBuilder({ plinth }: { plinth: ConsoleContext }) {
  const { t } = plinth;
  const lessonId = plinth.params.lesson ?? '';
  const [lesson, setLesson] = useState<Lesson>();
  const [draft, setDraft] = useState<DraftQuiz>();
  const [exists, setExists] = useState(false);
  const [loadError, setLoadError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const [confirmation, setConfirmation] = useState<Confirmation>();
  /** The draft as last loaded or saved, to tell unsaved changes. */
  const [saved, setSaved] = useState('');
  const root = useRef<HTMLFormElement>(null);
  const focusHandle = useRef<string | undefined>(undefined);
  const list = useSortable<HTMLOListElement>({ handle: '.drag-handle', onMove: ({ oldIndex, newIndex }) => moveQuestion(oldIndex, newIndex) });

  useEffect(() => {
    Promise.all([
      plinth.call<Lesson>('GET', `/lms/lessons/${lessonId}`),
      plinth.call<StoredQuiz>('GET', `/lms/lessons/${lessonId}/quiz`).then(
        (answer) => answer.data,
        (caught: { status?: number }) => {
          if (caught.status === 404) return undefined;
          throw caught;
        },
      ),
    ]).then(([answer, quiz]) => {
      setLesson(answer.data);
      setExists(quiz !== undefined);
      const loaded = draftOf(quiz, answer.data.title);
      setDraft(loaded);
      setSaved(snapshot(loaded));
    }, setLoadError);
  }, [lessonId]);

  useLayoutEffect(() => {
    if (!focusHandle.current) return;
    root.current?.querySelector<HTMLElement>(`[data-handle="${focusHandle.current}"]`)?.focus();
    focusHandle.current = undefined;
  });

  function moveQuestion(from: number, to: number, byKeyboard = false): void {
    if (!draft) return;
    const questions = moved(draft.questions, from, to);
    setDraft({ ...draft, questions });
    if (byKeyboard) focusHandle.current = questions[to]!.key;
    plinth.announce(t('Moved to position {position} of {count}', { position: to + 1, count: questions.length }));
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    if (!draft) return;
    const { body, problems: found } = quizBody(draft, t);
    setProblems(found);
    setError(undefined);
    if (Object.keys(found).length) {
      plinth.announce(t('Check the highlighted fields'), 'error');
      // The first field with a problem gets the focus, as the console's forms do.
      requestAnimationFrame(() => root.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    try {
      const { data } = await plinth.call<StoredQuiz>('PUT', `/lms/lessons/${lessonId}/quiz`, { body });
      setExists(true);
      const stored = draftOf(data, '');
      setDraft(stored);
      setSaved(snapshot(stored));
      plinth.announce(t('Quiz saved'));
    } catch (caught) {
      setError(caught);
      requestAnimationFrame(() => root.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    } finally {
      setBusy(false);
    }
  }

  function removeQuiz(): void {
    setConfirmation({
      title: t('Delete quiz'),
      message: t('Delete this quiz with its questions and every learner’s attempts?'),
      action: t('Delete quiz'),
      run: async () => {
        try {
          await plinth.call('DELETE', `/lms/lessons/${lessonId}/quiz`);
          plinth.announce(t('Quiz deleted'));
          plinth.navigate(`/w/lms/lms-course-builder?id=${lesson!.course_id}`);
        } catch (caught) {
          setError(caught);
        }
      },
    });
  }

  if (loadError !== undefined) {
    return (
      <div class="banner error" role="alert">
        {(loadError as Error).message}
      </div>
    );
  }
  if (!lesson || !draft) return <p class="loading">{t('Loading…')}</p>;

  const errors = { ...fieldErrors(error), ...problems };
  const set = (changes: Partial<DraftQuiz>) => setDraft({ ...draft, ...changes });
  const setting = (
    name: string,
    path: string,
    label: string,
    value: string,
    change: (text: string) => void,
    hint?: string,
    attributes: Record<string, unknown> = {},
  ) => (
    <div class={`field${errors[path] ? ' invalid' : ''}`}>
      <label for={`quiz-${name}`}>{label}</label>
      <input
        id={`quiz-${name}`}
        value={value}
        onInput={(event) => change(event.currentTarget.value)}
        {...attributes}
        {...invalid(`quiz-${name}-error`, errors[path])}
        aria-describedby={[errors[path] ? `quiz-${name}-error` : '', hint ? `quiz-${name}-hint` : ''].filter(Boolean).join(' ') || undefined}
      />
      {hint && (
        <small id={`quiz-${name}-hint`} class="hint">
          {hint}
        </small>
      )}
      <FieldMessages id={`quiz-${name}-error`} messages={errors[path]} />
    </div>
  );
  const number = { type: 'number', inputMode: 'numeric' };
  const curriculum = `/w/lms/lms-course-builder?id=${lesson.course_id}`;
  return (
    <form ref={root} class="lms-quiz" onSubmit={save} noValidate>
      <p class="quiz-back">
        <a
          href={plinth.href(curriculum)}
          onClick={(event) => {
            if (snapshot(draft) === saved) return;
            event.preventDefault();
            setConfirmation({
              title: t('Unsaved changes'),
              message: t('The quiz has changes that are not saved. Discard them?'),
              action: t('Discard changes'),
              run: () => plinth.navigate(curriculum),
            });
          }}
        >
          {t('Back to the curriculum')}
        </a>
      </p>
      <h2>{t('Quiz of {name}', { name: lesson.title })}</h2>
      {!exists && <p class="muted">{t('This lesson has no quiz yet: it is created when you save.')}</p>}
      {error !== undefined && (
        <div class="banner error" role="alert">
          {(error as Error).message}
        </div>
      )}
      <section class="panel quiz-settings" aria-labelledby="quiz-settings-title">
        <h3 id="quiz-settings-title">{t('Settings')}</h3>
        <div class="quiz-settings-grid">
          {setting('title', 'title', t('Quiz title'), draft.title, (title) => set({ title }), undefined, { maxLength: 200, dir: 'auto' })}
          {setting('pass-mark', 'pass_mark', t('Pass mark (%)'), draft.passMark, (passMark) => set({ passMark }), t('Percent of the points needed to pass'), {
            ...number,
            min: 0,
            max: 100,
          })}
          {setting('attempts', 'attempts_limit', t('Attempts allowed'), draft.attempts, (attempts) => set({ attempts }), t('Empty: unlimited'), {
            ...number,
            min: 1,
            max: 100,
          })}
          {setting('minutes', 'time_limit_seconds', t('Time limit (minutes)'), draft.minutes, (minutes) => set({ minutes }), t('Empty: untimed'), {
            type: 'number',
            inputMode: 'decimal',
            min: 1,
            max: 1440,
            step: 'any',
          })}
        </div>
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={draft.required} onChange={(event) => set({ required: event.currentTarget.checked })} />{' '}
            {t('Learners must pass to complete the lesson')}
          </label>
        </div>
      </section>
      <section aria-labelledby="quiz-questions-title">
        <h3 id="quiz-questions-title">{t('{count, plural, one {# question} other {# questions}}', { count: draft.questions.length })}</h3>
        <p id="quiz-drag-hint" class="visually-hidden">
          {t('Drag, or use the arrow keys')}
        </p>
        <FieldMessages id="quiz-questions-error" messages={errors.questions} />
        <ol ref={list} class="quiz-questions">
          {draft.questions.map((question, index) => (
            <QuestionEditor
              key={question.key}
              plinth={plinth}
              question={question}
              index={index}
              count={draft.questions.length}
              errors={errors}
              onChange={(changed) => set({ questions: draft.questions.map((item) => (item.key === question.key ? changed : item)) })}
              onRemove={() => {
                set({ questions: draft.questions.filter((item) => item.key !== question.key) });
                plinth.announce(t('Question {number} removed', { number: index + 1 }));
              }}
              onHandleKey={(event) => reorderKey(event, index, draft.questions.length, (to) => moveQuestion(index, to, true))}
            />
          ))}
        </ol>
        <button
          type="button"
          class="secondary"
          disabled={draft.questions.length >= 200}
          onClick={() => {
            const question = blankQuestion();
            set({ questions: [...draft.questions, question] });
            requestAnimationFrame(() => root.current?.querySelector<HTMLElement>(`#quiz-${question.key}-prompt`)?.focus());
          }}
        >
          {t('Add question')}
        </button>
      </section>
      <div class="quiz-actions">
        <button type="submit" disabled={busy}>
          {t('Save quiz')}
        </button>
        {exists && (
          <button type="button" class="danger-link" onClick={removeQuiz}>
            {t('Delete quiz')}
          </button>
        )}
      </div>
      {confirmation && <ConfirmDialog plinth={plinth} confirmation={confirmation} onClose={() => setConfirmation(undefined)} />}
    </form>
  );
}
