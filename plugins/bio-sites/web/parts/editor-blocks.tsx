/**
 * The page's blocks in order: each with a drag handle (mouse, touch and pen through SortableJS; arrow keys on the
 * handle), a summary, a switch to show or hide it, Edit (the typed form in place) and Delete (asked twice).
 * "Add block" picks a type and opens its form at the end of the list.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { moved, reorderKey, useSortable } from '../../../../web-kit/sortable';
import { BlockForm, typeName } from './editor-block-form';
import { type Block, type BlockType, ErrorBanner, type Plinth, sitePath } from './editor-common';
import { NetworkBadge } from './editor-networks';

const addable: BlockType[] = ['link', 'heading', 'text', 'image', 'social', 'embed', 'email_capture', 'product'];

/** One line saying what a block shows; `products`: the shop's product names by slug, when known. */
function summary(plinth: Plinth, block: Block, products: ReadonlyMap<string, string>): string {
  const data = block.data;
  const text = (field: string) => (typeof data[field] === 'string' ? (data[field] as string) : '');
  switch (block.type) {
    case 'link':
      return `${text('icon') ? `${text('icon')} ` : ''}${text('title')}`;
    case 'heading':
    case 'text':
      return text('text');
    case 'image':
      return text('alt') || plinth.t('Image');
    case 'social':
      return plinth.t('{count, plural, one {# profile} other {# profiles}}', { count: Array.isArray(data.links) ? data.links.length : 0 });
    case 'embed':
      return text('title') || text('url');
    case 'email_capture':
      return text('title');
    case 'product':
      return products.get(text('product_slug')) ?? text('product_slug');
  }
}

interface Props {
  plinth: Plinth;
  siteId: string;
  blocks: Block[];
  /** The shop's product names by slug (empty without the shop): product blocks are listed by name. */
  products: ReadonlyMap<string, string>;
  /** The list changed on the server: the new list (or the changed block's list), and the preview follows. */
  onChange(blocks: Block[]): void;
}

export function BlockList({ plinth, siteId, blocks, products, onChange }: Props) {
  const { t } = plinth;
  const [editing, setEditing] = useState<string>();
  const [adding, setAdding] = useState<BlockType>();
  const [choosing, setChoosing] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [error, setError] = useState<unknown>();
  // Where the focus goes once the list re-renders (a selector inside the section): after a keyboard move, the
  // moved handle; after a form or a confirmation closes, the button that opened it (or the heading, when gone).
  const [focusNext, setFocusNext] = useState<string>();
  const section = useRef<HTMLElement>(null);
  const latest = useRef(blocks);
  latest.current = blocks;

  /** Moves a block, saves the order, and says where it went. */
  async function move(from: number, to: number) {
    const before = latest.current;
    const next = moved(before, from, to);
    onChange(next);
    setError(undefined);
    try {
      const answer = await plinth.call<Block[]>('PUT', `${sitePath(siteId)}/blocks/order`, { body: { ids: next.map((block) => block.id) } });
      onChange(answer.data);
      plinth.announce(t('Moved to position {position} of {count}', { position: to + 1, count: next.length }));
    } catch (caught) {
      onChange(before);
      setError(caught);
    }
  }

  const list = useSortable<HTMLOListElement>({ handle: '.drag-handle', onMove: ({ oldIndex, newIndex }) => void move(oldIndex, newIndex) });

  // After a keyboard move the handle re-renders at the block's new place: the focus goes with it.
  useEffect(() => {
    if (!focusNext) return;
    section.current?.querySelector<HTMLElement>(focusNext)?.focus();
    setFocusNext(undefined);
  }, [focusNext, blocks, editing, adding, deleting]);
  const inBlock = (id: string, selector: string) => `[data-block="${id}"] ${selector}`;

  async function toggle(block: Block) {
    setError(undefined);
    try {
      const answer = await plinth.call<Block>('PATCH', `${sitePath(siteId)}/blocks/${block.id}`, { body: { active: !block.active } });
      onChange(latest.current.map((item) => (item.id === block.id ? answer.data : item)));
      plinth.announce(
        answer.data.active ? t('{name} is shown', { name: typeName(plinth, block.type) }) : t('{name} is hidden', { name: typeName(plinth, block.type) }),
      );
    } catch (caught) {
      setError(caught);
    }
  }

  async function remove(block: Block) {
    setError(undefined);
    try {
      await plinth.call('DELETE', `${sitePath(siteId)}/blocks/${block.id}`);
      setDeleting(undefined);
      setFocusNext('#bio-blocks-heading');
      onChange(latest.current.filter((item) => item.id !== block.id));
      plinth.announce(t('Block deleted'));
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section class="bio-blocks" aria-labelledby="bio-blocks-heading" ref={section}>
      <h2 id="bio-blocks-heading" tabIndex={-1}>
        {t('Blocks')}
      </h2>
      <ErrorBanner error={error} />
      <span id="bio-drag-hint" class="visually-hidden">
        {t('Drag, or use the arrow keys')}
      </span>
      {blocks.length === 0 && !adding && <p class="muted">{t('Your page has no blocks yet: add a link to start.')}</p>}
      <ol class="bio-block-list" ref={list}>
        {blocks.map((block, index) => {
          const name = `${typeName(plinth, block.type)}: ${summary(plinth, block, products)}`;
          return (
            <li key={block.id} data-block={block.id} class={`bio-block${block.live ? '' : ' off'}`}>
              <div class="bio-block-row">
                <button
                  type="button"
                  class="drag-handle"
                  aria-label={t('Move {name}', { name })}
                  aria-describedby="bio-drag-hint"
                  onKeyDown={(event) =>
                    reorderKey(event, index, blocks.length, (to) => {
                      setFocusNext(inBlock(block.id, '.drag-handle'));
                      void move(index, to);
                    })
                  }
                >
                  <span aria-hidden="true">⠿</span>
                </button>
                <div class="bio-block-summary">
                  <span class="bio-block-type">{typeName(plinth, block.type)}</span>
                  <span class="bio-block-text">
                    {block.type === 'social' && Array.isArray(block.data.links)
                      ? (block.data.links as { network: string }[]).slice(0, 5).map((link, at) => <NetworkBadge key={at} network={link.network} />)
                      : null}
                    <span dir="auto">{summary(plinth, block, products)}</span>
                  </span>
                  {!block.live && <span class="badge warn">{block.active ? t('Scheduled') : t('Hidden')}</span>}
                </div>
                <div class="bio-block-actions">
                  <button
                    type="button"
                    role="switch"
                    class="bio-switch"
                    aria-checked={block.active}
                    aria-label={t('Show {name}', { name })}
                    onClick={() => void toggle(block)}
                  >
                    <span aria-hidden="true" class="bio-switch-track">
                      <span class="bio-switch-thumb" />
                    </span>
                  </button>
                  <button
                    type="button"
                    class="secondary small bio-edit"
                    aria-expanded={editing === block.id}
                    aria-label={t('Edit {name}', { name })}
                    onClick={() => setEditing(editing === block.id ? undefined : block.id)}
                  >
                    {t('Edit')}
                  </button>
                  <button
                    type="button"
                    class="secondary small bio-delete"
                    aria-label={t('Delete {name}', { name })}
                    onClick={() => {
                      setDeleting(block.id);
                      setFocusNext(inBlock(block.id, '.bio-keep'));
                    }}
                  >
                    {t('Delete')}
                  </button>
                </div>
              </div>
              {deleting === block.id && (
                <div class="bio-confirm" role="group" aria-label={t('Delete {name}?', { name })}>
                  <p>{t('Delete this block? This cannot be undone.')}</p>
                  <button type="button" class="danger" onClick={() => void remove(block)}>
                    {t('Delete block')}
                  </button>
                  <button
                    type="button"
                    class="secondary bio-keep"
                    onClick={() => {
                      setDeleting(undefined);
                      setFocusNext(inBlock(block.id, '.bio-delete'));
                    }}
                  >
                    {t('Keep it')}
                  </button>
                </div>
              )}
              {editing === block.id && (
                <BlockForm
                  plinth={plinth}
                  siteId={siteId}
                  type={block.type}
                  block={block}
                  onSaved={(saved) => {
                    setEditing(undefined);
                    setFocusNext(inBlock(block.id, '.bio-edit'));
                    onChange(latest.current.map((item) => (item.id === saved.id ? saved : item)));
                    plinth.announce(t('Block saved'));
                  }}
                  onCancel={() => {
                    setEditing(undefined);
                    setFocusNext(inBlock(block.id, '.bio-edit'));
                  }}
                />
              )}
            </li>
          );
        })}
      </ol>
      {adding ? (
        <div class="bio-adding">
          <h3>{t('New {type}', { type: typeName(plinth, adding) })}</h3>
          <BlockForm
            plinth={plinth}
            siteId={siteId}
            type={adding}
            onSaved={(saved) => {
              setAdding(undefined);
              setFocusNext('.bio-add > button');
              onChange([...latest.current, saved]);
              plinth.announce(t('Block added'));
            }}
            onCancel={() => {
              setAdding(undefined);
              setFocusNext('.bio-add > button');
            }}
          />
        </div>
      ) : (
        <div class="bio-add">
          <button type="button" aria-expanded={choosing} aria-controls="bio-add-types" onClick={() => setChoosing(!choosing)}>
            {t('Add block')}
          </button>
          {choosing && (
            <ul id="bio-add-types" class="bio-add-types" aria-label={t('Kinds of block')}>
              {addable.map((type) => (
                <li key={type}>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      setChoosing(false);
                      setAdding(type);
                    }}
                  >
                    {typeName(plinth, type)}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
