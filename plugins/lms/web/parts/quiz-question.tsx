/// <reference lib="dom" />
import type { ConsoleContext } from '@plinth/sdk/web';
import type { DraftQuestion, QuestionKind } from './quiz-model';

/** The messages at `path`, beside a field: an id to point `aria-describedby` at, and the text. */
export function FieldMessages({ id, messages }: { id: string; messages: string[] | undefined }) {
  if (!messages?.length) return null;
  return (
    <small id={id} class="field-error">
      {messages.join(' ')}
    </small>
  );
}

/** `aria-invalid`/`aria-describedby` of a field with messages. */
export function invalid(id: string, messages: string[] | undefined) {
  return messages?.length ? { 'aria-invalid': 'true' as const, 'aria-describedby': id } : {};
}

/**
 * One question of the quiz: its kind, its text, its choices with the correct one(s) marked (a radio for single
 * choice, checkboxes for multiple choice) or its accepted answers (short answer), and its points.
 */
export function QuestionEditor({
  plinth,
  question,
  index,
  count,
  errors,
  onChange,
  onRemove,
  onHandleKey,
}: {
  plinth: ConsoleContext;
  question: DraftQuestion;
  index: number;
  count: number;
  errors: Record<string, string[]>;
  onChange(question: DraftQuestion): void;
  onRemove(): void;
  onHandleKey(event: KeyboardEvent): void;
}) {
  const { t } = plinth;
  const at = `questions.${index}`;
  const id = (name: string) => `quiz-${question.key}-${name}`;
  const set = (changes: Partial<DraftQuestion>) => onChange({ ...question, ...changes });
  const name = t('Question {number}', { number: index + 1 });
  const correctPath = question.kind === 'single' ? `${at}.correct_option` : `${at}.correct_options`;
  const rest = Object.entries(errors)
    .filter(([path]) => path === at)
    .flatMap(([, messages]) => messages);
  return (
    <li class="quiz-question" data-key={question.key}>
      {/* Beside the legend, not in it: the group's name stays "Question 2". */}
      <button
        type="button"
        class="drag-handle"
        data-handle={question.key}
        aria-label={t('Move {name}', { name })}
        aria-describedby="quiz-drag-hint"
        onKeyDown={onHandleKey}
      >
        <span aria-hidden="true">⠿</span>
      </button>
      <fieldset>
        <legend>{name}</legend>
        {rest.length > 0 && <p class="field-error">{rest.join(' ')}</p>}
        <div class="quiz-row">
          <div class="field">
            <label for={id('kind')}>{t('Type')}</label>
            <select
              id={id('kind')}
              value={question.kind}
              onChange={(event) => {
                const kind = event.currentTarget.value as QuestionKind;
                // The marks stay when switching between choice kinds (single keeps the first); short answers ignore them.
                set({ kind, correct: kind === 'single' ? [question.correct[0] ?? 0] : question.correct.length ? question.correct : [0] });
              }}
            >
              <option value="single">{t('Single choice')}</option>
              <option value="multiple">{t('Multiple choice')}</option>
              <option value="short">{t('Short answer')}</option>
            </select>
          </div>
          <div class={`field quiz-points${errors[`${at}.points`] ? ' invalid' : ''}`}>
            <label for={id('points')}>{t('Points')}</label>
            <input
              id={id('points')}
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              value={question.points}
              onInput={(event) => set({ points: event.currentTarget.value })}
              {...invalid(id('points-error'), errors[`${at}.points`])}
            />
            <FieldMessages id={id('points-error')} messages={errors[`${at}.points`]} />
          </div>
        </div>
        <div class={`field${errors[`${at}.prompt`] ? ' invalid' : ''}`}>
          <label for={id('prompt')}>{t('Question')}</label>
          <textarea
            id={id('prompt')}
            dir="auto"
            rows={2}
            maxLength={2000}
            value={question.prompt}
            onInput={(event) => set({ prompt: event.currentTarget.value })}
            {...invalid(id('prompt-error'), errors[`${at}.prompt`])}
          />
          <FieldMessages id={id('prompt-error')} messages={errors[`${at}.prompt`]} />
        </div>
        {question.kind === 'short' ? (
          <Answers plinth={plinth} question={question} errors={errors} at={at} id={id} set={set} />
        ) : (
          <Choices plinth={plinth} question={question} errors={errors} at={at} id={id} set={set} correctPath={correctPath} />
        )}
        <div class="quiz-question-actions">
          <button type="button" class="danger-link" disabled={count === 1} onClick={onRemove}>
            {t('Remove {name}', { name })}
          </button>
        </div>
      </fieldset>
    </li>
  );
}

interface PartProps {
  plinth: ConsoleContext;
  question: DraftQuestion;
  errors: Record<string, string[]>;
  at: string;
  id(name: string): string;
  set(changes: Partial<DraftQuestion>): void;
}

/** The choices of a choice question, each with its "correct" mark: a radio group or checkboxes. */
function Choices({ plinth, question, errors, at, id, set, correctPath }: PartProps & { correctPath: string }) {
  const { t } = plinth;
  const single = question.kind === 'single';
  const remove = (choice: number) =>
    set({
      options: question.options.filter((_, index) => index !== choice),
      correct: question.correct.filter((index) => index !== choice).map((index) => (index > choice ? index - 1 : index)),
    });
  const mark = (choice: number, checked: boolean) =>
    set({ correct: single ? [choice] : checked ? [...question.correct, choice] : question.correct.filter((index) => index !== choice) });
  return (
    <fieldset class={`quiz-choices${errors[correctPath] || errors[`${at}.options`] ? ' invalid' : ''}`}>
      <legend>{single ? t('Choices (mark the correct one)') : t('Choices (mark every correct one)')}</legend>
      <ol>
        {question.options.map((option, choice) => {
          const label = t('Choice {number}', { number: choice + 1 });
          const messages = errors[`${at}.options.${choice}`];
          return (
            <li key={choice} class="quiz-choice">
              <input
                type={single ? 'radio' : 'checkbox'}
                name={id('correct')}
                checked={question.correct.includes(choice)}
                aria-label={t('{choice} is correct', { choice: label })}
                onChange={(event) => mark(choice, event.currentTarget.checked)}
              />
              <input
                class="quiz-choice-text"
                dir="auto"
                aria-label={label}
                maxLength={500}
                value={option}
                onInput={(event) => set({ options: question.options.map((text, index) => (index === choice ? event.currentTarget.value : text)) })}
                {...invalid(id(`option-${choice}-error`), messages)}
              />
              <button
                type="button"
                class="danger-link"
                aria-label={t('Remove {choice}', { choice: label })}
                disabled={question.options.length <= 2}
                onClick={() => remove(choice)}
              >
                ✕
              </button>
              <FieldMessages id={id(`option-${choice}-error`)} messages={messages} />
            </li>
          );
        })}
      </ol>
      <FieldMessages id={id('choices-error')} messages={[...(errors[correctPath] ?? []), ...(errors[`${at}.options`] ?? [])]} />
      <button type="button" class="secondary" disabled={question.options.length >= 20} onClick={() => set({ options: [...question.options, ''] })}>
        {t('Add choice')}
      </button>
    </fieldset>
  );
}

/** The accepted answers of a short-answer question (compared ignoring case and spacing). */
function Answers({ plinth, question, errors, at, id, set }: PartProps) {
  const { t } = plinth;
  const messages = errors[`${at}.accepted_answers`];
  return (
    <fieldset class={`quiz-choices${messages ? ' invalid' : ''}`}>
      <legend>{t('Accepted answers (case and spacing are ignored)')}</legend>
      <ol>
        {question.answers.map((answer, index) => {
          const label = t('Accepted answer {number}', { number: index + 1 });
          return (
            <li key={index} class="quiz-choice">
              <input
                class="quiz-choice-text"
                dir="auto"
                aria-label={label}
                maxLength={200}
                value={answer}
                onInput={(event) => set({ answers: question.answers.map((text, at) => (at === index ? event.currentTarget.value : text)) })}
                {...invalid(id('answers-error'), messages)}
              />
              <button
                type="button"
                class="danger-link"
                aria-label={t('Remove {choice}', { choice: label })}
                disabled={question.answers.length <= 1}
                onClick={() => set({ answers: question.answers.filter((_, at) => at !== index) })}
              >
                ✕
              </button>
            </li>
          );
        })}
      </ol>
      <FieldMessages id={id('answers-error')} messages={messages} />
      <button type="button" class="secondary" disabled={question.answers.length >= 20} onClick={() => set({ answers: [...question.answers, ''] })}>
        {t('Add answer')}
      </button>
    </fieldset>
  );
}
