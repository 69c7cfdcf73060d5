/**
 * `bio-site-editor`: a site's page editor, the primary screen of a site. Blocks, profile, theme and sharing on one
 * side; the live preview (the server's own rendering of the page) beside them, below them on a phone.
 */
import { useEffect, useState } from 'preact/hooks';
import { BlockList } from './editor-blocks';
import { type Block, ErrorBanner, type Plinth, type Site, sitePath } from './editor-common';
import { Preview } from './editor-preview';
import { SiteDetails, SiteSharing, SiteTheme } from './editor-site';
import './editor.css';

/** The products the blocks show, as one string: the names are looked up again when it changes. */
const productSlugs = (blocks: readonly Block[] | undefined) =>
  (blocks ?? [])
    .filter((block) => block.type === 'product')
    .map((block) => String(block.data.product_slug))
    .join(' ');

export function SiteEditor({ plinth }: { plinth: Plinth }) {
  const { t } = plinth;
  const id = plinth.params.id ?? '';
  const [site, setSite] = useState<Site>();
  const [blocks, setBlocks] = useState<Block[]>();
  const [error, setError] = useState<unknown>();
  // Bumped by every saved change: the preview asks for the page again.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((current) => current + 1);

  const [products, setProducts] = useState<ReadonlyMap<string, string>>(new Map());
  // Product blocks store the product's slug: the list names them from the shop's catalogue when the user may read it.
  useEffect(() => {
    if (!plinth.can('shop.products.view')) return;
    plinth.call<{ slug: string; name: string }[]>('GET', '/shop/products', { query: { per_page: 100 } }).then(
      (answer) => setProducts(new Map(answer.data.map((product) => [product.slug, product.name]))),
      () => undefined, // the slugs are shown instead
    );
  }, [productSlugs(blocks)]);

  useEffect(() => {
    if (!id) return;
    Promise.all([plinth.call<Site>('GET', sitePath(id)), plinth.call<Block[]>('GET', `${sitePath(id)}/blocks`, { query: { per_page: 100 } })]).then(
      ([siteAnswer, blockAnswer]) => {
        setSite(siteAnswer.data);
        setBlocks(blockAnswer.data);
      },
      (caught: unknown) => setError(caught),
    );
  }, [id]);

  if (!id) return <ErrorBanner error={new Error(t('This screen needs a site: open it from the list of sites.'))} />;
  if (error) return <ErrorBanner error={error} />;
  if (!site || !blocks)
    return (
      <p class="loading" role="status">
        <span class="spinner" aria-hidden="true" /> {t('Loading…')}
      </p>
    );
  const saved = (next: Site) => {
    setSite(next);
    changed();
  };
  return (
    <div class="bio-editor">
      <div class="bio-editor-main">
        <BlockList
          plinth={plinth}
          siteId={id}
          blocks={blocks}
          products={products}
          onChange={(next) => {
            setBlocks(next);
            changed();
          }}
        />
        <SiteSharing plinth={plinth} site={site} onSaved={saved} />
        <SiteDetails plinth={plinth} site={site} onSaved={saved} />
        <SiteTheme plinth={plinth} site={site} onSaved={saved} />
      </div>
      <Preview plinth={plinth} siteId={id} version={version} />
    </div>
  );
}
