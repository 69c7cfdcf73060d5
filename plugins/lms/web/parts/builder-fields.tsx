/// <reference lib="dom" />
import { useEffect, useRef } from 'preact/hooks';
import type { FieldsElement } from './builder-api';

/**
 * The console's `<plinth-fields>` for an object schema, made imperatively (it is the console's element, not a
 * Preact component): its properties are set on every render, and `fields` gives the element to the caller for
 * `body()`.
 */
export function Fields({
  fields,
  ...properties
}: Pick<FieldsElement, 'schema' | 'value' | 'mode' | 'plugin' | 'error' | 'only'> & { fields: { current: FieldsElement | null } }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = document.createElement('plinth-fields') as FieldsElement;
    fields.current = element;
    host.current?.replaceChildren(element);
    return () => {
      element.remove();
      fields.current = null;
    };
  }, []);
  useEffect(() => {
    const element = fields.current;
    if (!element) return;
    for (const [name, value] of Object.entries(properties))
      if ((element as unknown as Record<string, unknown>)[name] !== value) Object.assign(element, { [name]: value });
  });
  return <div ref={host} class="builder-fields" />;
}
