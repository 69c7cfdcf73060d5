/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Fields, type FieldsElement } from '../../../../web-kit/fields';
import { fieldErrors, type Lesson } from './builder-api';
import { attachmentKey, attachmentsBody, AttachmentsEditor, type Attachment } from './builder-attachments';

/**
 * What `<plinth-fields>` shows of a lesson, in this order. The tree moves lessons (`module_id`); attachments have
 * their own editor (links and uploads), which the generic inputs cannot offer for a list of either-or items.
 */
const shown = ['title', 'status', 'content_html', 'video_url', 'video_file_id', 'duration_seconds', 'free_preview', 'required', 'drip_days'];

/** A lesson's attachments as the editor lists them: a link, or a stored file (its name is not known here). */
function attachmentsOf(lesson: Lesson): Attachment[] {
  return lesson.attachments.map((item) =>
    item.file_id ? { key: attachmentKey(), title: item.title, file_id: item.file_id } : { key: attachmentKey(), title: item.title, url: item.url },
  );
}

/** Problems of the attachments before sending them, at the API's paths. */
function attachmentProblems(list: Attachment[], t: ConsoleContext['t']): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  list.forEach((item, index) => {
    if (!item.title.trim()) problems[`attachments.${index}.title`] = [t('Give the attachment a title.')];
    if ('url' in item && !/^https?:\/\/\S+$/.test(item.url.trim())) problems[`attachments.${index}.url`] = [t('Enter a link starting with https://')];
  });
  return problems;
}

/**
 * A lesson's editor beside the tree: the console's typed inputs over the lesson's PATCH schema (rich text content,
 * a video link or an uploaded video, attachments, drip and preview settings), and its quiz.
 */
export function LessonEditor({
  plinth,
  lessonId,
  onSaved,
  onClose,
  onDirty,
}: {
  plinth: ConsoleContext;
  lessonId: string;
  onSaved(lesson: Lesson): void;
  onClose(): void;
  /** Whether the editor holds changes not saved yet (the builder asks before dropping them). */
  onDirty(dirty: boolean): void;
}) {
  const { t } = plinth;
  const [lesson, setLesson] = useState<Lesson>();
  const [schema, setSchema] = useState<Record<string, unknown>>();
  const [loadError, setLoadError] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [hasQuiz, setHasQuiz] = useState(false);
  const fields = useRef<FieldsElement | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  // One value per loaded lesson: giving the element a new object would reset what the user is typing.
  const value = useMemo(() => lesson && { ...lesson }, [lesson]);

  useEffect(() => {
    Promise.all([
      plinth.call<Lesson>('GET', `/lms/lessons/${lessonId}`),
      plinth.bodySchema('PATCH', `/lms/lessons/${lessonId}`),
      plinth.call('GET', `/lms/lessons/${lessonId}/quiz`).then(
        () => true,
        () => false,
      ),
    ]).then(([answer, patch, quiz]) => {
      setLesson(answer.data);
      setAttachments(attachmentsOf(answer.data));
      setSchema(patch);
      setHasQuiz(quiz);
      heading.current?.focus();
    }, setLoadError);
  }, [lessonId]);

  async function saveLesson(event: Event): Promise<void> {
    event.preventDefault();
    const element = fields.current;
    if (!element || !lesson) return;
    const { body, problems: found } = element.body();
    const attachmentsFound = attachmentProblems(attachments, t);
    setProblems(attachmentsFound);
    if (Object.keys(found).length || Object.keys(attachmentsFound).length) {
      plinth.announce(t('Check the highlighted fields'), 'error');
      return;
    }
    const listed = attachmentsBody(attachments);
    if (JSON.stringify(listed) !== JSON.stringify(attachmentsBody(attachmentsOf(lesson)))) body.attachments = listed;
    if (Object.keys(body).length === 0) {
      plinth.announce(t('No changes to save'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await plinth.call<Lesson>('PATCH', `/lms/lessons/${lesson.id}`, { body });
      setLesson(data);
      setAttachments(attachmentsOf(data).map((item, index) => ({ ...item, name: (attachments[index] as { name?: string } | undefined)?.name })));
      onSaved(data);
      onDirty(false);
      plinth.announce(t('Lesson saved'));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel builder-editor" aria-labelledby="builder-editor-title">
      <div class="builder-editor-head">
        <h2 id="builder-editor-title" ref={heading} tabIndex={-1}>
          {lesson ? t('Lesson: {name}', { name: lesson.title }) : t('Lesson')}
        </h2>
        <button type="button" class="secondary" onClick={onClose}>
          {t('Close editor')}
        </button>
      </div>
      {loadError !== undefined && (
        <div class="banner error" role="alert">
          {(loadError as Error).message}
        </div>
      )}
      {!lesson && loadError === undefined && <p class="loading">{t('Loading…')}</p>}
      {lesson && schema && (
        <form onSubmit={saveLesson} noValidate onplinth-change={() => onDirty(true)}>
          {/* Field messages show beside the inputs (`<plinth-fields>`); other failures here. */}
          {error !== undefined && Object.keys(fieldErrors(error)).length === 0 && (
            <div class="banner error" role="alert">
              {(error as Error).message}
            </div>
          )}
          <Fields handle={fields} schema={schema} value={value} mode="edit" plugin="lms" only={shown} error={error} />
          <AttachmentsEditor
            plinth={plinth}
            list={attachments}
            errors={{ ...fieldErrors(error), ...problems }}
            onChange={(list) => {
              setAttachments(list);
              onDirty(true);
            }}
          />
          <div class="builder-editor-actions">
            <button type="submit" disabled={busy}>
              {t('Save lesson')}
            </button>
          </div>
        </form>
      )}
      {lesson && (
        <div class="builder-quiz">
          <h3>{t('Quiz')}</h3>
          <p class="muted">{hasQuiz ? t('This lesson has a quiz.') : t('No quiz yet: learners only read this lesson.')}</p>
          <a class="button secondary" href={plinth.href(`/w/lms/lms-quiz-builder?lesson=${lesson.id}`)}>
            {hasQuiz ? t('Edit quiz') : t('Add a quiz')}
          </a>
        </div>
      )}
    </section>
  );
}
