/** Types and small pieces the page editor's parts share: the API's shapes, labelled fields, tenant-zone times. */
import type { ConsoleApiError, ConsoleContext } from '@plinth/sdk/web';
import type { ComponentChildren } from 'preact';

export type Plinth = ConsoleContext;

/** A site, as `GET /bio-sites/sites/:id` answers it. */
export interface Site {
  id: string;
  slug: string;
  title: string;
  bio: string;
  avatar_url: string | null;
  avatar_file_id: string | null;
  theme: { preset: string; font: string; background: string; text: string; accent: string };
  status: 'published' | 'unpublished';
  /** The public page's path (`/b/<slug>`). */
  url: string;
}

export type BlockType = 'link' | 'heading' | 'text' | 'image' | 'social' | 'embed' | 'email_capture' | 'product';

/** A block, as the blocks routes answer it. */
export interface Block {
  id: string;
  type: BlockType;
  position: number;
  data: Record<string, unknown>;
  active: boolean;
  starts_at: string | null;
  ends_at: string | null;
  /** On the public page now (active and inside its schedule). */
  live: boolean;
}

/** The API's path of the site's routes. */
export const sitePath = (id: string) => `/bio-sites/sites/${encodeURIComponent(id)}`;

/** The messages of a failed call for one field path (`data.url`), or none. */
export function problemsAt(error: unknown, path: string): string[] {
  const errors = (error as Partial<ConsoleApiError> | undefined)?.errors;
  return errors?.[path] ?? [];
}

/** A failed call's message for a banner (what the API said), or undefined when there is none. */
export function messageOf(error: unknown): string | undefined {
  return error ? ((error as Error).message ?? String(error)) : undefined;
}

/** The API's error as a `role="alert"` banner; nothing when there is none. */
export function ErrorBanner({ error }: { error: unknown }) {
  const message = messageOf(error);
  if (!message) return null;
  return (
    <div class="banner error" role="alert">
      {message}
    </div>
  );
}

/**
 * A stored public image at its `thumb` size, or the original while the thumbnail is not made yet (the files
 * service makes variants in a job, shortly after the upload).
 */
export function StoredImage(props: { plinth: ConsoleContext; id: string; alt: string; class: string; size?: number }) {
  const { plinth, id } = props;
  return (
    <img
      class={props.class}
      src={plinth.fileUrl(id, 'thumb')}
      alt={props.alt}
      width={props.size}
      height={props.size}
      onError={(event) => {
        const original = plinth.fileUrl(id);
        if (event.currentTarget.getAttribute('src') !== original) event.currentTarget.setAttribute('src', original);
      }}
    />
  );
}

/** A labelled input with its hint and the API's messages for it (linked by `aria-describedby`). */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  problems?: string[];
  children: (describedBy: string | undefined) => ComponentChildren;
}) {
  const { id, label, hint, problems = [] } = props;
  const described = [hint ? `${id}-hint` : '', problems.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${problems.length ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {props.children(described)}
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {problems.length > 0 && (
        <span class="field-error" id={`${id}-error`}>
          {problems.join(' ')}
        </span>
      )}
    </div>
  );
}

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function zonedParts(instant: number, timeZone: string): ZonedParts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
}

const two = (value: number) => String(value).padStart(2, '0');

/** An instant as a `datetime-local` input's value in the tenant's zone (`2026-12-24T18:00`); '' for none. */
export function toZonedInput(iso: string | null, timeZone: string): string {
  if (!iso) return '';
  const p = zonedParts(Date.parse(iso), timeZone);
  return `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** A `datetime-local` value read as a wall-clock time in the tenant's zone, as an ISO instant; null when empty. */
export function fromZonedInput(value: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offset at that moment (read twice: the first guess may sit across a daylight-saving change).
  const offset = (instant: number) => {
    const p = zonedParts(instant, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - instant;
  };
  const first = wall - offset(wall);
  return new Date(wall - offset(first)).toISOString();
}
