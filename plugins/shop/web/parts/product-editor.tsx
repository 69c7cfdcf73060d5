import type { ConsoleApiError, ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import './product-editor.css';
import { Fields, type FieldsElement } from '../../../../web-kit/fields';
import { ProductImages, type EditedImage } from './product-images';
import { optionsOf, planVariants, rowChanged, usedOptions, type Product, type ProductOption, type Variant, type VariantRow } from './product-model';
import { ProductOptions } from './product-options';
import { VariantStock } from './product-stock';

// `only` lists stay the same arrays across renders: <plinth-fields> re-renders when a property changes.
const DETAILS = ['name', 'description'];
const ORGANISATION = ['status', 'category_id'];
/** With the product's organisation unit, when the shop files products by unit (its `units` setting) or this one has one. */
const ORGANISATION_WITH_UNIT = ['status', 'category_id', 'unit_id'];
const SEARCH = ['slug', 'seo_title', 'seo_description'];
const PRICING = ['price', 'compare_at_price', 'sku'];

interface Schemas {
  product: Record<string, unknown>;
  variantPatch: Record<string, unknown>;
  newVariant: Record<string, unknown>;
}

const empty = { body: {}, problems: {} };

/** What a `<plinth-fields>` holds; nothing while its inputs are still loading (the user has typed nothing there). */
function read(fields: FieldsElement | null | undefined): { body: Record<string, unknown>; problems: Record<string, string[]> } {
  try {
    return fields?.body() ?? empty;
  } catch {
    return empty;
  }
}

/** The failed save's error for the inputs showing `only`, when it has a message for one of them (else none: no banner twice). */
function errorFor(error: ConsoleApiError | undefined, only: string[]): ConsoleApiError | undefined {
  return error && Object.keys(error.errors ?? {}).some((path) => only.includes(path.split('.')[0]!)) ? error : undefined;
}

/** Field messages no input shows (`image_file_ids.0`…): listed in the banner instead. */
function unplaced(error: ConsoleApiError | undefined): string[] {
  const shown = [...DETAILS, ...ORGANISATION_WITH_UNIT, ...SEARCH];
  return Object.entries(error?.errors ?? {}).flatMap(([path, messages]) =>
    shown.includes(path.split('.')[0]!) ? [] : messages.map((message) => `${path}: ${message}`),
  );
}

const imagesOf = (product: Product): EditedImage[] =>
  product.image_files.map((image) => ({ file_id: image.file_id, src: image.thumb_url, alt: product.image_alt[image.file_id] ?? '' }));

const sameImages = (a: EditedImage[], b: EditedImage[]) =>
  a.length === b.length && a.every((image, index) => image.file_id === b[index]!.file_id && image.alt.trim() === b[index]!.alt.trim());

/** Asks before deleting variants (a modal dialog; resolves true when confirmed). */
function useConfirm() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<{ names: string[]; resolve(ok: boolean): void }>();
  useEffect(() => {
    if (pending && !dialog.current?.open) dialog.current?.showModal();
  }, [pending]);
  const ask = (names: string[]) => new Promise<boolean>((resolve) => setPending({ names, resolve }));
  const close = (ok: boolean) => {
    dialog.current?.close();
    pending?.resolve(ok);
    setPending(undefined);
  };
  return { ask, close, dialog, pending };
}

/**
 * The product editor (primary screen of `/products/:id`): details with rich text, images, price and compare-at
 * price, options that generate variants, stock per variant with its history, status, category and search listing.
 * One Save sends the product, then the variants (deleted, changed, added); stock adjustments apply at once.
 */
export function ProductEditor({ plinth }: { plinth: ConsoleContext }) {
  const { t } = plinth;
  const id = plinth.params.id ?? '';
  const [product, setProduct] = useState<Product>();
  const [schemas, setSchemas] = useState<Schemas>();
  const [loadError, setLoadError] = useState<string>();
  const [images, setImages] = useState<EditedImage[]>([]);
  const [options, setOptions] = useState<ProductOption[]>([]);
  const [stock, setStock] = useState<Record<string, number>>({});
  const [opening, setOpening] = useState<Record<string, string>>({});
  const [productError, setProductError] = useState<ConsoleApiError>();
  const [rowErrors, setRowErrors] = useState<Record<string, ConsoleApiError>>({});
  const [banner, setBanner] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [usesUnits, setUsesUnits] = useState(false);
  const details = useRef<FieldsElement | null>(null);
  const organisation = useRef<FieldsElement | null>(null);
  const search = useRef<FieldsElement | null>(null);
  const rowFields = useRef(new Map<string, FieldsElement>());
  const seeds = useRef(new Map<string, Record<string, unknown>>());
  const confirm = useConfirm();

  const show = (loaded: Product) => {
    setProduct(loaded);
    setImages(imagesOf(loaded));
    setOptions(optionsOf(loaded.variants));
    setStock({});
    setOpening({});
    seeds.current.clear();
  };

  useEffect(() => {
    if (!/^[0-9a-f-]{36}$/i.test(id)) {
      setLoadError(t('This product does not exist.'));
      return;
    }
    Promise.all([
      plinth.call<Product>('GET', `/shop/products/${id}`),
      plinth.bodySchema('PATCH', `/shop/products/${id}`),
      plinth.bodySchema('PATCH', `/shop/variants/${id}`),
      plinth.bodySchema('POST', `/shop/products/${id}/variants`),
      // Whoever may not read the settings sees the unit only on products that have one.
      plinth.call<{ units?: boolean }>('GET', '/plugins/shop/settings').then(
        (answer) => answer.data.units === true,
        () => false,
      ),
    ]).then(
      ([answer, productSchema, variantPatch, newVariant, units]) => {
        if (!productSchema || !variantPatch || !newVariant) throw new Error(t('The shop’s forms could not be loaded.'));
        setSchemas({ product: productSchema, variantPatch, newVariant });
        setUsesUnits(units);
        show(answer.data);
      },
      (caught: Error) => setLoadError(caught.message),
    );
  }, [id]);

  const plan = useMemo(() => planVariants(product?.variants ?? [], options), [product, options]);

  if (loadError) {
    return (
      <div class="banner error" role="alert">
        {loadError}
      </div>
    );
  }
  if (!product || !schemas) return <p class="loading">{t('Loading…')}</p>;

  const single = usedOptions(options).length === 0 && plan.rows.length === 1;
  const organisationFields = usesUnits || product.unit_id ? ORGANISATION_WITH_UNIT : ORGANISATION;
  const seedOf = (row: VariantRow) => {
    let seed = seeds.current.get(row.key);
    if (!seed) seeds.current.set(row.key, (seed = { ...row.seed }));
    return seed;
  };
  const nameOf = (variant: Variant) => variant.name || variant.sku;

  async function save() {
    if (!product || saving) return;
    setBanner(undefined);
    setProductError(undefined);
    setRowErrors({});
    const parts = [details, organisation, search].map((fields) => read(fields.current));
    const rows = plan.rows.map((row) => ({ row, result: read(rowFields.current.get(row.key)) }));
    // A product saved before it has a price: its untouched first row is not a variant yet.
    const wanted = rows.filter(({ row, result }) => row.variant || row.key !== 'default' || Object.keys(result.body).length > 0);
    if ([...parts.map((part) => part.problems), ...wanted.map(({ result }) => result.problems)].some((problems) => Object.keys(problems).length)) {
      setBanner(t('Some fields need attention: see the messages beside them.'));
      plinth.announce(t('Some fields need attention: see the messages beside them.'), 'error');
      return;
    }
    if (plan.removed.length && !(await confirm.ask(plan.removed.map(nameOf)))) return;
    setSaving(true);
    let failed: VariantRow | undefined;
    try {
      const body: Record<string, unknown> = Object.assign({}, ...parts.map((part) => part.body));
      if (!sameImages(images, imagesOf(product))) {
        body.image_file_ids = images.map((image) => image.file_id);
        body.image_alt = Object.fromEntries(images.filter((image) => image.alt.trim()).map((image) => [image.file_id, image.alt.trim()]));
      }
      if (Object.keys(body).length) await plinth.call('PATCH', `/shop/products/${product.id}`, { body });
      for (const variant of plan.removed) await plinth.call('DELETE', `/shop/variants/${variant.id}`);
      for (const { row, result } of wanted) {
        failed = row;
        const naming = row.title ? { attributes: row.attributes, name: row.title } : {};
        if (row.variant) {
          const change = { ...result.body, ...(rowChanged(row) ? naming : {}) };
          if (Object.keys(change).length) await plinth.call('PATCH', `/shop/variants/${row.variant.id}`, { body: change });
        } else {
          const units = Number(opening[row.key] ?? '');
          const start = Number.isInteger(units) && units > 0 ? { stock: units } : {};
          await plinth.call('POST', `/shop/products/${product.id}/variants`, { body: { ...result.body, ...naming, ...start } });
        }
      }
      failed = undefined;
      const { data } = await plinth.call<Product>('GET', `/shop/products/${product.id}`);
      show(data);
      plinth.announce(t('Product saved'));
    } catch (caught) {
      const error = caught as ConsoleApiError;
      if (failed) setRowErrors({ [failed.key]: error });
      else setProductError(error);
      setBanner(failed ? t('{variant} was not saved: {message}', { variant: failed.title || t('Pricing'), message: error.message }) : error.message);
      // What was saved before the failure stays saved: show it, keeping the user's other edits on screen.
      if (failed) {
        const { data } = await plinth.call<Product>('GET', `/shop/products/${product.id}`).catch(() => ({ data: undefined }));
        if (data) setProduct(data);
      }
    } finally {
      setSaving(false);
    }
  }

  const variantRow = (row: VariantRow) => {
    const variant = row.variant;
    const label = row.title || product.name;
    return (
      <li key={row.key} class="variant-row">
        {!single && (
          <h3 class="variant-title">
            <bdi>{row.title || (variant && nameOf(variant))}</bdi>
            {!variant && <span class="badge on">{t('New')}</span>}
            {variant && rowChanged(row) && <span class="badge">{t('Was {name}', { name: nameOf(variant) })}</span>}
          </h3>
        )}
        <Fields
          plugin="shop"
          schema={variant ? schemas.variantPatch : schemas.newVariant}
          value={(variant as unknown as Record<string, unknown> | undefined) ?? seedOf(row)}
          mode={variant ? 'edit' : 'create'}
          only={PRICING}
          error={errorFor(rowErrors[row.key], PRICING)}
          handle={(element: FieldsElement | null) => {
            if (element) rowFields.current.set(row.key, element);
            else rowFields.current.delete(row.key);
          }}
        />
        {variant ? (
          <VariantStock
            plinth={plinth}
            variant={{ ...variant, stock: stock[variant.id] ?? variant.stock }}
            label={label}
            onStock={(units) => setStock((current) => ({ ...current, [variant.id]: units }))}
          />
        ) : (
          <div class="field opening-stock">
            <label for={`opening-${row.key}`}>{t('Opening stock')}</label>
            <input
              id={`opening-${row.key}`}
              type="number"
              min={0}
              step={1}
              inputMode="numeric"
              value={opening[row.key] ?? ''}
              onInput={(event) => setOpening((current) => ({ ...current, [row.key]: event.currentTarget.value }))}
            />
          </div>
        )}
      </li>
    );
  };

  const shopUrl = plinth.publicUrl(`/c/${plinth.tenant.slug}/buy/${product.slug}`);
  return (
    <div class="product-editor">
      <div class="editor-bar">
        <p class="editor-name">
          <bdi>{product.name}</bdi>{' '}
          <span class={`badge${product.status === 'active' ? ' on' : ''}`}>
            {{ active: t('Active'), draft: t('Draft'), archived: t('Archived') }[product.status]}
          </span>
        </p>
        {product.status === 'active' && (
          <a class="button secondary" href={shopUrl} target="_blank" rel="noopener">
            {t('View in shop')}
          </a>
        )}
        <button type="button" onClick={() => void save()} disabled={saving}>
          {saving ? t('Saving…') : t('Save')}
        </button>
      </div>
      {banner && (
        <div class="banner error" role="alert">
          <p>{banner}</p>
          {unplaced(productError).length > 0 && (
            <ul>
              {unplaced(productError).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div class="editor-columns">
        <div class="editor-main">
          <section class="panel" aria-labelledby="product-details">
            <h2 id="product-details">{t('Details')}</h2>
            <Fields
              plugin="shop"
              schema={schemas.product}
              value={product}
              mode="edit"
              only={DETAILS}
              error={errorFor(productError, DETAILS)}
              handle={details}
            />
          </section>
          <section class="panel" aria-labelledby="product-images">
            <h2 id="product-images">{t('Images')}</h2>
            <ProductImages plinth={plinth} images={images} onChange={setImages} />
          </section>
          {single && (
            <section class="panel" aria-labelledby="product-pricing">
              <h2 id="product-pricing">{t('Pricing and stock')}</h2>
              <ul class="variant-list single">{plan.rows.map(variantRow)}</ul>
            </section>
          )}
          <section class="panel" aria-labelledby="product-options">
            <h2 id="product-options">{t('Options')}</h2>
            <p class="muted">
              {t('Sold in several sizes or colours? Add the options: every combination becomes a variant with its own price, SKU and stock.')}
            </p>
            <ProductOptions plinth={plinth} options={options} onChange={setOptions} />
          </section>
          {!single && (
            <section class="panel" aria-labelledby="product-variants">
              <h2 id="product-variants">{t('{count, plural, one {# variant} other {# variants}}', { count: plan.rows.length })}</h2>
              {plan.removed.length > 0 && <div class="banner warning">{t('Deleted on save: {names}', { names: plan.removed.map(nameOf).join(', ') })}</div>}
              <ul class="variant-list">{plan.rows.map(variantRow)}</ul>
            </section>
          )}
        </div>
        <div class="editor-side">
          <section class="panel" aria-labelledby="product-organisation">
            <h2 id="product-organisation">{t('Status and category')}</h2>
            <Fields
              plugin="shop"
              schema={schemas.product}
              value={product}
              mode="edit"
              only={organisationFields}
              error={errorFor(productError, organisationFields)}
              handle={organisation}
            />
          </section>
          <section class="panel" aria-labelledby="product-search">
            <h2 id="product-search">{t('Search engine listing')}</h2>
            <Fields plugin="shop" schema={schemas.product} value={product} mode="edit" only={SEARCH} error={errorFor(productError, SEARCH)} handle={search} />
          </section>
        </div>
      </div>
      <dialog ref={confirm.dialog} class="dialog" aria-labelledby="delete-variants-title" onCancel={() => confirm.close(false)}>
        {confirm.pending && (
          <>
            <h2 id="delete-variants-title">
              {t('{count, plural, one {Delete # variant?} other {Delete # variants?}}', { count: confirm.pending.names.length })}
            </h2>
            <p>{t('These combinations are no longer offered: {names}. Orders keep their lines.', { names: confirm.pending.names.join(', ') })}</p>
            <div class="dialog-actions">
              <button type="button" class="secondary" onClick={() => confirm.close(false)}>
                {t('Cancel')}
              </button>
              <button type="button" class="danger" onClick={() => confirm.close(true)}>
                {t('Delete and save')}
              </button>
            </div>
          </>
        )}
      </dialog>
    </div>
  );
}
