/**
 * The product editor's data and its pure rules: the options a product's variants imply, every combination of
 * them, and how existing variants map onto those combinations (kept, adopted, or deleted on save).
 */

export interface ProductImage {
  file_id: string;
  url: string;
  thumb_url: string;
}

export interface Variant {
  id: string;
  sku: string;
  name: string;
  price: number;
  compare_at_price: number | null;
  attributes: Record<string, string>;
  stock: number;
}

export interface Product {
  id: string;
  name: string;
  slug: string;
  status: 'draft' | 'active' | 'archived';
  image_file_ids: string[];
  image_files: ProductImage[];
  image_alt: Record<string, string>;
  variants: Variant[];
  [field: string]: unknown;
}

/** An option and its values, as the creator types them: `Size: S, M, L`. */
export interface ProductOption {
  name: string;
  values: string[];
}

/** One line of the variants list: a combination of option values and the variant that sells it (once saved). */
export interface VariantRow {
  /** Stable across edits of the options: the variant's id, else the combination. */
  key: string;
  attributes: Record<string, string>;
  /** `S / red`; empty for a product without options. */
  title: string;
  variant?: Variant;
  /** Prices and SKU proposed for a new combination (from the product's first variant). */
  seed?: { price?: number; compare_at_price?: number | null; sku?: string };
}

export interface VariantPlan {
  rows: VariantRow[];
  /** Saved variants no combination uses any more: deleted on save, after confirmation. */
  removed: Variant[];
}

/** The options the variants' attributes imply, in order of first appearance. */
export function optionsOf(variants: readonly Variant[]): ProductOption[] {
  const options: ProductOption[] = [];
  for (const variant of variants) {
    for (const [name, value] of Object.entries(variant.attributes)) {
      let option = options.find((candidate) => candidate.name === name);
      if (!option) options.push((option = { name, values: [] }));
      if (!option.values.includes(value)) option.values.push(value);
    }
  }
  return options;
}

/** Options that take part in combinations: named, with at least one value. */
export function usedOptions(options: readonly ProductOption[]): ProductOption[] {
  return options.filter((option) => option.name.trim() && option.values.length > 0).map((option) => ({ ...option, name: option.name.trim() }));
}

/** Every combination of the options' values, the first option varying slowest (S / red, S / blue, M / red…). */
export function combinations(options: readonly ProductOption[]): Record<string, string>[] {
  return options.reduce<Record<string, string>[]>(
    (partial, option) => partial.flatMap((attributes) => option.values.map((value) => ({ ...attributes, [option.name]: value }))),
    [{}],
  );
}

const same = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([name, value]) => b[name] === value);

/** `a`'s values all agree with `b` (a variant made before an option was added fits every value of it). */
const fits = (a: Record<string, string>, b: Record<string, string>) => Object.entries(a).every(([name, value]) => b[name] === value);

export const titleOf = (attributes: Record<string, string>, options: readonly ProductOption[]) =>
  options.map((option) => attributes[option.name] ?? '').join(' / ');

/** A SKU for a new combination: the base SKU and the values, in capitals without spaces (`TEE-S-RED`). */
export function proposedSku(base: string, attributes: Record<string, string>, options: readonly ProductOption[]): string {
  const parts = options.map((option) => (attributes[option.name] ?? '').toUpperCase().replace(/\s+/g, '-'));
  return [base || 'SKU', ...parts].filter(Boolean).join('-').slice(0, 64);
}

/** The SKU a variant's options were added to (`TEE-S-RED` with two options → `TEE`). */
function baseSku(variant: Variant | undefined): string {
  if (!variant) return '';
  const parts = variant.sku.split('-');
  const count = Object.keys(variant.attributes).length;
  return parts.length > count ? parts.slice(0, parts.length - count).join('-') : variant.sku;
}

/**
 * The variants list for `options`: with none, the saved variants as they are (one new row when there is none);
 * with some, one row per combination — a saved variant with exactly those values keeps its row, one whose values
 * only partly match (made before an option was added) is adopted by the first combination it fits, and the rest
 * are deleted on save. New combinations start from the first variant's prices and SKU.
 */
export function planVariants(variants: readonly Variant[], options: readonly ProductOption[]): VariantPlan {
  const used = usedOptions(options);
  if (used.length === 0) {
    if (variants.length === 0) return { rows: [{ key: 'default', attributes: {}, title: '' }], removed: [] };
    return { rows: variants.map((variant) => ({ key: variant.id, attributes: variant.attributes, title: variant.name, variant })), removed: [] };
  }
  const combos = combinations(used);
  const owner = new Map<number, Variant>();
  const left = variants.filter((variant) => {
    const index = combos.findIndex((combo, at) => !owner.has(at) && same(variant.attributes, combo));
    if (index < 0) return true;
    owner.set(index, variant);
    return false;
  });
  const removed = left.filter((variant) => {
    const index = combos.findIndex((combo, at) => !owner.has(at) && fits(variant.attributes, combo));
    if (index < 0) return true;
    owner.set(index, variant);
    return false;
  });
  const first = variants[0];
  const base = baseSku(first);
  const rows = combos.map((attributes, index): VariantRow => {
    const variant = owner.get(index);
    const title = titleOf(attributes, used);
    if (variant) return { key: variant.id, attributes, title, variant };
    return {
      key: `new:${JSON.stringify(attributes)}`,
      attributes,
      title,
      seed: { price: first?.price, compare_at_price: first?.compare_at_price ?? null, sku: proposedSku(base, attributes, used) },
    };
  });
  return { rows, removed };
}

/** Whether a saved variant's options or name differ from its row (it is patched on save). */
export function rowChanged(row: VariantRow): boolean {
  if (!row.variant) return false;
  return !same(row.variant.attributes, row.attributes) || (row.title !== '' && row.variant.name !== row.title);
}
