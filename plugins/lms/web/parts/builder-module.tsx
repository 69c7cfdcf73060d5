/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useRef, useState } from 'preact/hooks';
import { reorderKey, useSortable, type Moved } from '../../../../web-kit/sortable';
import type { OutlineLesson, OutlineModule } from './builder-api';
import { AddForm, RenameInput } from './builder-inline';

/** What a module of the tree can ask the builder to do (the builder changes its state and saves). */
export interface ModuleActions {
  renameModule(id: string, title: string): void;
  deleteModule(module: OutlineModule): void;
  moveModule(from: number, to: number): void;
  addLesson(moduleId: string, title: string): Promise<boolean>;
  renameLesson(id: string, title: string): void;
  deleteLesson(lesson: OutlineLesson): void;
  /** Moves a lesson, within its module or to another one (`toModule` by index in the course). */
  moveLesson(fromModule: number, fromIndex: number, toModule: number, toIndex: number, byKeyboard: boolean): void;
  /** A drag between two lesson lists, told apart by their `data-module` index. */
  dropLesson(moved: Moved): void;
  openLesson(id: string): void;
}

/**
 * Whether an item's title is being renamed in place, and the ref of its Rename button, which gets the focus back
 * when the rename ends (the input that had it is gone).
 */
function useRenaming() {
  const [renaming, setRenaming] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const was = useRef(false);
  useEffect(() => {
    // Only when the focus went nowhere (Enter or Escape), not when the user clicked elsewhere.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (was.current && !renaming && lost) button.current?.focus();
    was.current = renaming;
  }, [renaming]);
  return { renaming, setRenaming, button };
}

/** The drag handle of an item: a button that drags with a pointer and moves with the arrow keys. */
function Handle({ plinth, name, id, onKeyDown }: { plinth: ConsoleContext; name: string; id: string; onKeyDown(event: KeyboardEvent): void }) {
  return (
    <button
      type="button"
      class="drag-handle"
      data-handle={id}
      aria-label={plinth.t('Move {name}', { name })}
      aria-describedby="builder-drag-hint"
      onKeyDown={onKeyDown}
    >
      <span aria-hidden="true">⠿</span>
    </button>
  );
}

/** A module of the course: its title (renamed in place), its lessons (dragged within and between modules), Add lesson. */
export function ModuleItem({
  plinth,
  module,
  index,
  count,
  modules,
  selected,
  actions,
}: {
  plinth: ConsoleContext;
  module: OutlineModule;
  index: number;
  count: number;
  modules: OutlineModule[];
  selected: string | undefined;
  actions: ModuleActions;
}) {
  const { t } = plinth;
  const { renaming, setRenaming, button: renameButton } = useRenaming();
  const lessonList = useSortable<HTMLOListElement>({ handle: '.drag-handle', group: 'lessons', onMove: actions.dropLesson });
  const headingId = `builder-module-${module.id}`;
  return (
    <li class="builder-module">
      <div class="builder-row builder-module-head">
        <Handle
          plinth={plinth}
          name={module.title}
          id={module.id}
          onKeyDown={(event) => reorderKey(event, index, count, (to) => actions.moveModule(index, to))}
        />
        {renaming ? (
          <RenameInput
            plinth={plinth}
            label={t('Module title')}
            value={module.title}
            onSave={(title) => actions.renameModule(module.id, title)}
            onDone={() => setRenaming(false)}
          />
        ) : (
          <h3 id={headingId} class="builder-title" dir="auto">
            {module.title}
          </h3>
        )}
        <span class="muted builder-count">{t('{count, plural, one {# lesson} other {# lessons}}', { count: module.lessons.length })}</span>
        <span class="builder-actions">
          <button ref={renameButton} type="button" class="secondary" aria-label={t('Rename {name}', { name: module.title })} onClick={() => setRenaming(true)}>
            {t('Rename')}
          </button>
          <button type="button" class="danger-link" aria-label={t('Delete {name}', { name: module.title })} onClick={() => actions.deleteModule(module)}>
            {t('Delete')}
          </button>
        </span>
      </div>
      <ol ref={lessonList} class="builder-lessons" data-module={index} aria-label={t('Lessons of {name}', { name: module.title })}>
        {module.lessons.map((lesson, lessonIndex) => (
          <LessonItem
            key={lesson.id}
            plinth={plinth}
            lesson={lesson}
            selected={lesson.id === selected}
            onKeyDown={(event) => {
              // Past either end of its module, a lesson goes on into the neighbouring module.
              const last = module.lessons.length - 1;
              if (event.key === 'ArrowUp' && lessonIndex === 0 && index > 0) {
                event.preventDefault();
                actions.moveLesson(index, lessonIndex, index - 1, modules[index - 1]!.lessons.length, true);
              } else if (event.key === 'ArrowDown' && lessonIndex === last && index < count - 1) {
                event.preventDefault();
                actions.moveLesson(index, lessonIndex, index + 1, 0, true);
              } else reorderKey(event, lessonIndex, module.lessons.length, (to) => actions.moveLesson(index, lessonIndex, index, to, true));
            }}
            actions={actions}
          />
        ))}
      </ol>
      {module.lessons.length === 0 && <p class="muted builder-empty">{t('No lessons yet: add the first one below, or drag one here.')}</p>}
      <AddForm
        label={t('New lesson title in {name}', { name: module.title })}
        button={t('Add lesson')}
        onAdd={(title) => actions.addLesson(module.id, title)}
      />
    </li>
  );
}

function LessonItem({
  plinth,
  lesson,
  selected,
  onKeyDown,
  actions,
}: {
  plinth: ConsoleContext;
  lesson: OutlineLesson;
  selected: boolean;
  onKeyDown(event: KeyboardEvent): void;
  actions: ModuleActions;
}) {
  const { t } = plinth;
  const { renaming, setRenaming, button: renameButton } = useRenaming();
  return (
    <li class={`builder-lesson builder-row${selected ? ' selected' : ''}`} data-lesson={lesson.id}>
      <Handle plinth={plinth} name={lesson.title} id={lesson.id} onKeyDown={onKeyDown} />
      {renaming ? (
        <RenameInput
          plinth={plinth}
          label={t('Lesson title')}
          value={lesson.title}
          onSave={(title) => actions.renameLesson(lesson.id, title)}
          onDone={() => setRenaming(false)}
        />
      ) : (
        <button type="button" class="builder-open" aria-pressed={selected ? 'true' : 'false'} onClick={() => actions.openLesson(lesson.id)}>
          <bdi class="builder-title">{lesson.title}</bdi>
          <span class="visually-hidden">{t('Edit lesson')}</span>
        </button>
      )}
      <span class="builder-badges">
        <span class={`badge${lesson.status === 'published' ? ' on' : ''}`}>{lesson.status === 'published' ? t('Published') : t('Draft')}</span>
        {lesson.has_quiz && <span class="badge">{t('Quiz')}</span>}
        {lesson.free_preview && <span class="badge">{t('Free preview')}</span>}
        {lesson.drip_days > 0 && (
          <span class="badge warn">{t('{days, plural, one {Unlocks after # day} other {Unlocks after # days}}', { days: lesson.drip_days })}</span>
        )}
      </span>
      <span class="builder-actions">
        <button ref={renameButton} type="button" class="secondary" aria-label={t('Rename {name}', { name: lesson.title })} onClick={() => setRenaming(true)}>
          {t('Rename')}
        </button>
        <button type="button" class="danger-link" aria-label={t('Delete {name}', { name: lesson.title })} onClick={() => actions.deleteLesson(lesson)}>
          {t('Delete')}
        </button>
      </span>
    </li>
  );
}
