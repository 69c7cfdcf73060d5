/**
 * The console's shared elements, which any plugin screen may use (docs/plugins/console-screens.md):
 * `<plinth-fields>` (typed inputs for a JSON Schema), `<plinth-chart>` (a chart) and `<plinth-share>` (a public
 * address with copy, open and a QR code). Defined at start-up by these small classes; what they render is
 * imported when the first one is connected, so the console's first load does not carry it (nor chart.js).
 */

/** What an element's implementation does with it: render its properties into it (light DOM), and clean up. */
export interface SharedRenderer {
  render(host: SharedElement): void;
  unmount(host: SharedElement): void;
}

/** Problems found before sending, by field path, as `<plinth-fields>`' `body()` reports them. */
export interface FieldsBody {
  body: Record<string, unknown>;
  problems: Record<string, string[]>;
}

/** The state every shared element keeps for its implementation: property values, and what the renderer exposes. */
export class SharedElement extends HTMLElement {
  readonly props: Record<string, unknown> = {};
  /** Set by `<plinth-fields>`' renderer while mounted: reads the form. */
  reader: (() => FieldsBody) | undefined;
  #renderer: SharedRenderer | undefined;

  constructor(private readonly load: () => Promise<SharedRenderer>) {
    super();
  }

  connectedCallback(): void {
    this.load().then(
      (renderer) => {
        this.#renderer = renderer;
        if (this.isConnected) renderer.render(this);
      },
      (error: unknown) => console.error(`${this.localName}: cannot load`, error),
    );
  }

  disconnectedCallback(): void {
    // A move (a keyed list reordered, a drag and drop) disconnects and connects again in one task: what the
    // user typed survives it. Only an element still out of the document after the task is unmounted.
    queueMicrotask(() => {
      if (!this.isConnected) this.#renderer?.unmount(this);
    });
  }

  /** Stores a property; renders again when it changed (`same` compares, identity by default). */
  protected setProp(name: string, value: unknown, same: (a: unknown, b: unknown) => boolean = Object.is): void {
    if (name in this.props && same(this.props[name], value)) return;
    this.props[name] = value;
    if (this.isConnected) this.#renderer?.render(this);
  }
}

/** Same JSON: a screen re-rendering with an equal (new) object must not reset what the user typed. */
const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

const loadFields = () => import('./fields').then((module) => module.fieldsRenderer);
const loadChart = () => import('./chart').then((module) => module.chartRenderer);
const loadShare = () => import('./share').then((module) => module.shareRenderer);

/** `<plinth-fields>`: the console's typed inputs for an object schema. See docs/plugins/console-screens.md. */
export class PlinthFields extends SharedElement {
  constructor() {
    super(loadFields);
  }
  get schema(): unknown {
    return this.props.schema;
  }
  set schema(value: unknown) {
    this.setProp('schema', value, sameJson);
  }
  get value(): unknown {
    return this.props.value;
  }
  set value(value: unknown) {
    this.setProp('value', value, sameJson);
  }
  get mode(): unknown {
    return this.props.mode;
  }
  set mode(value: unknown) {
    this.setProp('mode', value);
  }
  get plugin(): unknown {
    return this.props.plugin;
  }
  set plugin(value: unknown) {
    this.setProp('plugin', value);
  }
  get error(): unknown {
    return this.props.error;
  }
  set error(value: unknown) {
    this.setProp('error', value);
  }
  get only(): unknown {
    return this.props.only;
  }
  set only(value: unknown) {
    this.setProp('only', value, sameJson);
  }
  /** The JSON to send and the problems found (empty when valid; else also shown beside the inputs). */
  body(): FieldsBody {
    if (!this.reader) throw new Error('plinth-fields: body() before the inputs are shown');
    return this.reader();
  }
}

/** An element whose properties are also attributes (`label`, `url`): set either way. */
class AttributeElement extends SharedElement {
  static observedAttributes: string[] = [];
  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    this.setProp(name, value ?? undefined);
  }
}

/** `<plinth-chart chart={…} label="…">`: a line or bar chart (chart.js), `role="img"`, named by `label`. */
export class PlinthChart extends AttributeElement {
  static override observedAttributes = ['label'];
  constructor() {
    super(loadChart);
  }
  get chart(): unknown {
    return this.props.chart;
  }
  set chart(value: unknown) {
    this.setProp('chart', value, sameJson);
  }
  get label(): string {
    return this.getAttribute('label') ?? '';
  }
  set label(value: string) {
    this.setAttribute('label', value);
  }
}

/** `<plinth-share url="https://…">`: the address, Copy, Open (a new tab) and its QR code (PNG to download). */
export class PlinthShare extends AttributeElement {
  static override observedAttributes = ['url'];
  constructor() {
    super(loadShare);
  }
  get url(): string {
    return this.getAttribute('url') ?? '';
  }
  set url(value: string) {
    this.setAttribute('url', value);
  }
}

/** Defines the three elements (once). */
export function defineSharedElements(): void {
  for (const [name, element] of [
    ['plinth-fields', PlinthFields],
    ['plinth-chart', PlinthChart],
    ['plinth-share', PlinthShare],
  ] as const) {
    if (!customElements.get(name)) customElements.define(name, element);
  }
}
