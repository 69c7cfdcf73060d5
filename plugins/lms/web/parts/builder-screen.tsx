/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { moved, useSortable, type Moved } from '../../../../web-kit/sortable';
import { fieldErrors, type CourseOutline, type CourseStatus, type OutlineLesson, type OutlineModule } from './builder-api';
import { ConfirmDialog, type Confirmation } from './builder-confirm';
import { AddForm } from './builder-inline';
import { LessonEditor } from './builder-lesson';
import { ModuleItem, type ModuleActions } from './builder-module';
import './builder.css';

/**
 * The curriculum builder of a course (`?id=<course>`): its title and status, then its modules and lessons as a
 * tree: added and renamed in place, dragged (lessons between modules too) or moved with the arrow keys on their
 * handles, deleted after a confirmation; a lesson opens in an editor beside the tree. Every change shows at once and
 * is saved in the background, one call after another; a failed save shows its message and reloads the tree.
 */
export function CourseBuilder({ plinth }: { plinth: ConsoleContext }) {
  const { t } = plinth;
  const courseId = plinth.params.id ?? '';
  const [course, setCourse] = useState<CourseOutline>();
  const [modules, setModules] = useState<OutlineModule[]>([]);
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(0);
  const [selected, setSelected] = useState<string>();
  const [confirmation, setConfirmation] = useState<Confirmation>();
  const queue = useRef<Promise<void>>(Promise.resolve());
  const root = useRef<HTMLDivElement>(null);
  const focusHandle = useRef<string | undefined>(undefined);
  const editorDirty = useRef(false);
  const moduleList = useSortable<HTMLOListElement>({
    handle: '.builder-module-head > .drag-handle',
    onMove: ({ oldIndex, newIndex }) => moveModule(oldIndex, newIndex),
  });

  async function load(): Promise<void> {
    try {
      const { data } = await plinth.call<CourseOutline>('GET', `/lms/courses/${courseId}`);
      setCourse(data);
      setModules(data.modules);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    void load();
  }, [courseId]);

  // After a keyboard move the handle re-renders at its new place: give it the focus back.
  useLayoutEffect(() => {
    if (!focusHandle.current) return;
    root.current?.querySelector<HTMLElement>(`[data-handle="${focusHandle.current}"]`)?.focus();
    focusHandle.current = undefined;
  });

  /** Saves in order (a second move waits for the first); a failure shows its message and reloads the server's tree. */
  function save(task: () => Promise<unknown>): Promise<boolean> {
    setSaving((count) => count + 1);
    const result = queue.current.then(task).then(
      () => true,
      async (caught: unknown) => {
        setError(caught);
        await load();
        return false;
      },
    );
    queue.current = result.then(() => setSaving((count) => count - 1));
    return result;
  }

  function moveModule(from: number, to: number, byKeyboard = false): void {
    const next = moved(modules, from, to);
    setModules(next);
    if (byKeyboard) focusHandle.current = next[to]!.id;
    plinth.announce(t('Moved to position {position} of {count}', { position: to + 1, count: next.length }));
    void save(() => plinth.call('PUT', `/lms/courses/${courseId}/modules/order`, { body: { ids: next.map((module) => module.id) } }));
  }

  function moveLesson(fromModule: number, fromIndex: number, toModule: number, toIndex: number, byKeyboard: boolean): void {
    const lesson = modules[fromModule]!.lessons[fromIndex]!;
    const next = modules.map((module) => ({ ...module, lessons: [...module.lessons] }));
    next[fromModule]!.lessons.splice(fromIndex, 1);
    next[toModule]!.lessons.splice(toIndex, 0, lesson);
    setModules(next);
    if (byKeyboard) focusHandle.current = lesson.id;
    const target = next[toModule]!;
    plinth.announce(
      fromModule === toModule
        ? t('Moved to position {position} of {count}', { position: toIndex + 1, count: target.lessons.length })
        : t('Moved to {module}, position {position} of {count}', { module: target.title, position: toIndex + 1, count: target.lessons.length }),
    );
    void save(async () => {
      // Moving to another module puts the lesson at its end; the order then puts it where it was dropped.
      if (fromModule !== toModule) await plinth.call('PATCH', `/lms/lessons/${lesson.id}`, { body: { module_id: target.id } });
      if (fromModule === toModule || toIndex < target.lessons.length - 1) {
        await plinth.call('PUT', `/lms/modules/${target.id}/lessons/order`, { body: { ids: target.lessons.map((item) => item.id) } });
      }
    });
  }

  const actions: ModuleActions = {
    renameModule(id, title) {
      setModules((current) => current.map((module) => (module.id === id ? { ...module, title } : module)));
      void save(() => plinth.call('PATCH', `/lms/modules/${id}`, { body: { title } }));
    },
    deleteModule(module) {
      setConfirmation({
        title: t('Delete module'),
        message: t('Delete {name} and its {count, plural, one {# lesson} other {# lessons}}? Their quizzes, progress and files go too.', {
          name: module.title,
          count: module.lessons.length,
        }),
        action: t('Delete module'),
        run: async () => {
          setModules((current) => current.filter((item) => item.id !== module.id));
          if (module.lessons.some((lesson) => lesson.id === selected)) setSelected(undefined);
          if (await save(() => plinth.call('DELETE', `/lms/modules/${module.id}`))) plinth.announce(t('{name} deleted', { name: module.title }));
        },
      });
    },
    moveModule: (from, to) => moveModule(from, to, true),
    async addLesson(moduleId, title) {
      let added: OutlineLesson | undefined;
      const ok = await save(async () => {
        added = (await plinth.call<OutlineLesson>('POST', `/lms/modules/${moduleId}/lessons`, { body: { title } })).data;
      });
      if (!ok || !added) return false;
      const lesson = { ...added, has_quiz: false };
      setModules((current) => current.map((module) => (module.id === moduleId ? { ...module, lessons: [...module.lessons, lesson] } : module)));
      plinth.announce(t('Lesson {name} added', { name: title }));
      return true;
    },
    renameLesson(id, title) {
      renamedLesson(id, { title });
      void save(() => plinth.call('PATCH', `/lms/lessons/${id}`, { body: { title } }));
    },
    deleteLesson(lesson) {
      setConfirmation({
        title: t('Delete lesson'),
        message: t('Delete {name}? Its quiz, the learners’ progress and its files go too.', { name: lesson.title }),
        action: t('Delete lesson'),
        run: async () => {
          setModules((current) => current.map((module) => ({ ...module, lessons: module.lessons.filter((item) => item.id !== lesson.id) })));
          if (selected === lesson.id) setSelected(undefined);
          if (await save(() => plinth.call('DELETE', `/lms/lessons/${lesson.id}`))) plinth.announce(t('{name} deleted', { name: lesson.title }));
        },
      });
    },
    moveLesson,
    dropLesson({ from, to, oldIndex, newIndex }: Moved) {
      moveLesson(Number(from.dataset.module), oldIndex, Number(to.dataset.module), newIndex, false);
    },
    openLesson: (id) => leaveLesson(() => setSelected((current) => (current === id ? undefined : id))),
  };

  /** Runs `leave` (closing or switching the lesson editor), after asking when the editor holds unsaved changes. */
  function leaveLesson(leave: () => void): void {
    const go = () => {
      editorDirty.current = false;
      leave();
    };
    if (!editorDirty.current) return go();
    setConfirmation({
      title: t('Unsaved changes'),
      message: t('The lesson has changes that are not saved. Discard them?'),
      action: t('Discard changes'),
      run: go,
    });
  }

  /** Shows a lesson's saved title and switches in the tree. */
  function renamedLesson(id: string, changes: Partial<OutlineLesson>): void {
    setModules((current) =>
      current.map((module) => ({ ...module, lessons: module.lessons.map((lesson) => (lesson.id === id ? { ...lesson, ...changes } : lesson)) })),
    );
  }

  async function addModule(title: string): Promise<boolean> {
    let added: OutlineModule | undefined;
    const ok = await save(async () => {
      added = (await plinth.call<OutlineModule>('POST', `/lms/courses/${courseId}/modules`, { body: { title } })).data;
    });
    if (!ok || !added) return false;
    const module = { ...added, lessons: [] };
    setModules((current) => [...current, module]);
    plinth.announce(t('Module {name} added', { name: title }));
    return true;
  }

  if (!course) {
    return <div class="lms-builder">{error ? <ErrorBanner error={error} /> : <p class="loading">{t('Loading…')}</p>}</div>;
  }
  return (
    <div ref={root} class={`lms-builder${selected ? ' editing' : ''}`}>
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} plinth={plinth} />
      <CourseHeader plinth={plinth} course={course} onSaved={setCourse} />
      <p id="builder-drag-hint" class="visually-hidden">
        {t('Drag, or use the arrow keys')}
      </p>
      <div class="builder-columns">
        <section class="builder-tree" aria-labelledby="builder-outline">
          <div class="builder-tree-head">
            <h2 id="builder-outline">{t('Modules and lessons')}</h2>
            <span class="muted builder-status" aria-hidden="true">
              {saving > 0 ? t('Saving…') : t('All changes saved')}
            </span>
          </div>
          {modules.length === 0 && <p class="muted">{t('No modules yet: add the first one below.')}</p>}
          <ol ref={moduleList} class="builder-modules" aria-label={t('Modules')}>
            {modules.map((module, index) => (
              <ModuleItem
                key={module.id}
                plinth={plinth}
                module={module}
                index={index}
                count={modules.length}
                modules={modules}
                selected={selected}
                actions={actions}
              />
            ))}
          </ol>
          <AddForm label={t('New module title')} button={t('Add module')} onAdd={addModule} />
        </section>
        {selected && (
          <LessonEditor
            key={selected}
            plinth={plinth}
            lessonId={selected}
            onSaved={(lesson) =>
              renamedLesson(lesson.id, { title: lesson.title, status: lesson.status, free_preview: lesson.free_preview, drip_days: lesson.drip_days })
            }
            onDirty={(dirty) => (editorDirty.current = dirty)}
            onClose={() =>
              leaveLesson(() => {
                const id = selected;
                setSelected(undefined);
                requestAnimationFrame(() => root.current?.querySelector<HTMLElement>(`[data-lesson="${id}"] .builder-open`)?.focus());
              })
            }
          />
        )}
      </div>
      {confirmation && <ConfirmDialog plinth={plinth} confirmation={confirmation} onClose={() => setConfirmation(undefined)} />}
    </div>
  );
}

/** The course's title and status, changed in place (the course's other details are on its record page). */
function CourseHeader({ plinth, course, onSaved }: { plinth: ConsoleContext; course: CourseOutline; onSaved(course: CourseOutline): void }) {
  const { t } = plinth;
  const [title, setTitle] = useState(course.title);
  const [status, setStatus] = useState<CourseStatus>(course.status);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);
  const changed = title.trim() !== course.title || status !== course.status;
  return (
    <form
      class="panel builder-course"
      aria-label={t('Course')}
      onSubmit={async (event) => {
        event.preventDefault();
        if (!changed) return;
        setBusy(true);
        setError(undefined);
        try {
          const { data } = await plinth.call<CourseOutline>('PATCH', `/lms/courses/${course.id}`, { body: { title: title.trim(), status } });
          onSaved({ ...course, title: data.title, status: data.status });
          plinth.announce(t('Course saved'));
        } catch (caught) {
          setError(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class={`field builder-course-title${errors.title ? ' invalid' : ''}`}>
        <label for="builder-course-title">{t('Course title')}</label>
        <input
          id="builder-course-title"
          dir="auto"
          value={title}
          maxLength={200}
          required
          aria-invalid={errors.title ? 'true' : undefined}
          aria-describedby={errors.title ? 'builder-course-title-error' : undefined}
          onInput={(event) => setTitle(event.currentTarget.value)}
        />
        {errors.title && (
          <small id="builder-course-title-error" class="field-error">
            {errors.title.join(' ')}
          </small>
        )}
      </div>
      <div class="field">
        <label for="builder-course-status">{t('Status')}</label>
        <select id="builder-course-status" value={status} onChange={(event) => setStatus(event.currentTarget.value as CourseStatus)}>
          <option value="draft">{t('Draft')}</option>
          <option value="published">{t('Published')}</option>
          <option value="archived">{t('Archived')}</option>
        </select>
      </div>
      <div class="builder-course-actions">
        <button type="submit" disabled={busy || !changed}>
          {t('Save course')}
        </button>
        <a href={plinth.href(`/p/lms/courses/${course.id}`)}>{t('All course details')}</a>
      </div>
      {error !== undefined && !errors.title && (
        <div class="banner error builder-course-error" role="alert">
          {(error as Error).message}
        </div>
      )}
    </form>
  );
}

/** A failed call's message, in an alert banner the user can dismiss. */
export function ErrorBanner({ error, onDismiss, plinth }: { error: unknown; onDismiss?: () => void; plinth?: ConsoleContext }) {
  if (error === undefined) return null;
  return (
    <div class="banner error builder-banner" role="alert">
      <span>{error instanceof Error ? error.message : String(error)}</span>
      {onDismiss && plinth && (
        <button type="button" class="secondary" onClick={onDismiss}>
          {plinth.t('Dismiss')}
        </button>
      )}
    </div>
  );
}
