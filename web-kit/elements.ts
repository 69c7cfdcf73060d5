/// <reference lib="dom" />
import type { ConsoleContext, ConsoleElement } from '@plinth/sdk/web';
import { h, render, type ComponentType, type HTMLAttributes } from 'preact';

/**
 * Defines a first-party plugin's console screen as a custom element: the console sets `plinth` and inserts the
 * element; the Preact component renders into it (light DOM: the console's styles apply) until it is removed.
 */
export function defineScreen(name: string, Screen: ComponentType<{ plinth: ConsoleContext }>): void {
  if (customElements.get(name)) return;
  customElements.define(
    name,
    class extends HTMLElement implements ConsoleElement {
      plinth?: ConsoleContext;
      connectedCallback(): void {
        if (this.plinth) render(h(Screen, { plinth: this.plinth }), this);
      }
      disconnectedCallback(): void {
        render(null, this);
      }
    },
  );
}

/** The elements the console defines for every plugin screen (docs/plugins/console-screens.md, "Shared elements"). */
declare module 'preact' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      /** The console's typed inputs for an object schema; read them with its `body()` method. */
      'plinth-fields': HTMLAttributes<HTMLElement> & {
        schema?: unknown;
        value?: unknown;
        mode?: 'create' | 'edit';
        plugin?: string;
        error?: unknown;
        only?: string[];
      };
      /** A chart of `chart` (a property), named by `label`. */
      'plinth-chart': HTMLAttributes<HTMLElement> & { chart: unknown; label: string };
      /** A public address with copy, open and a QR code. */
      'plinth-share': HTMLAttributes<HTMLElement> & { url: string };
    }
  }
}
