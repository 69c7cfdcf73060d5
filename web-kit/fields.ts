/// <reference lib="dom" />
import { h, type RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';

/** The console's `<plinth-fields>` element (docs/plugins/console-screens.md, "Shared elements"). */
export interface FieldsElement extends HTMLElement {
  schema?: Record<string, unknown>;
  value?: Record<string, unknown>;
  mode?: 'create' | 'edit';
  plugin?: string;
  error?: unknown;
  only?: string[];
  body(): { body: Record<string, unknown>; problems: Record<string, string[]> };
}

/**
 * `<plinth-fields>` with its properties set from props, only when they change (setting `value` again would reset
 * what the user typed). `handle` receives the element, so the screen can ask it for `body()` on save.
 */
export function Fields(props: {
  schema: Record<string, unknown>;
  value?: Record<string, unknown> | undefined;
  mode: 'create' | 'edit';
  plugin: string;
  only: string[];
  error?: unknown;
  handle: RefObject<FieldsElement | null> | ((element: FieldsElement | null) => void);
}) {
  const { schema, value, mode, plugin, only, error, handle } = props;
  const element = useRef<FieldsElement | null>(null);
  useLayoutEffect(() => {
    const fields = element.current;
    if (!fields) return;
    fields.plugin = plugin;
    fields.mode = mode;
    fields.only = only;
    if (value) fields.value = value;
    fields.schema = schema;
  }, [schema, value, mode, plugin, only]);
  useEffect(() => {
    if (element.current) element.current.error = error;
  }, [error]);
  const attach = (node: FieldsElement | null) => {
    element.current = node;
    if (typeof handle === 'function') handle(node);
    else handle.current = node;
  };
  return h('plinth-fields', { ref: attach });
}
