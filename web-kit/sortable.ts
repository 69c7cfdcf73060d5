/// <reference lib="dom" />
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import Sortable from 'sortablejs';

/** A finished drag: the item left `from` at `oldIndex` and was dropped in `to` (same list or another) at `newIndex`. */
export interface Moved {
  from: HTMLElement;
  to: HTMLElement;
  oldIndex: number;
  newIndex: number;
}

/**
 * Drag-and-drop reordering of a list's children with SortableJS, by a handle (`handle`: a selector inside each
 * item). SortableJS moves DOM nodes itself; Preact owns them, so the move is undone in the DOM at once and
 * reported to `onMove`, which changes the state (and saves it): the list re-renders in the new order. Lists with
 * the same `group` exchange items (lessons between modules); `data-*` attributes of the lists tell them apart.
 * Pointer events (`forceFallback`) behave the same with a mouse, a pen and a finger.
 */
export function useSortable<T extends HTMLElement>(options: { handle: string; group?: string; onMove(moved: Moved): void }): RefObject<T | null> {
  const list = useRef<T | null>(null);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    if (!list.current) return;
    const sortable = Sortable.create(list.current, {
      handle: options.handle,
      group: options.group,
      animation: 150,
      forceFallback: true,
      fallbackTolerance: 3,
      onEnd(event) {
        const { from, to, item, oldIndex, newIndex } = event;
        if (oldIndex === undefined || newIndex === undefined || (from === to && oldIndex === newIndex)) return;
        item.remove();
        from.insertBefore(item, from.children[oldIndex] ?? null);
        latest.current.onMove({ from, to, oldIndex, newIndex });
      },
    });
    return () => sortable.destroy();
  }, [options.handle, options.group]);
  return list;
}

/**
 * Dragging an item onto another (a unit onto the unit it should go under) with SortableJS, by `handle`. Every list
 * that shares `group` (nested lists of a tree: one call each) is a drag area. Nothing is reordered, so the lists hold
 * still while the pointer looks for its target: the item of the group under it (not the dragged one, nor one inside
 * it) is marked with the class `drop-target`, and a drop there is reported to `onDrop`. Pointer events
 * (`forceFallback`) behave the same with a mouse, a pen and a finger; a keyboard needs another way ("Move to…").
 */
export function useDropOnto<T extends HTMLElement>(options: {
  handle: string;
  group: string;
  onDrop(dragged: HTMLElement, target: HTMLElement): void;
}): RefObject<T | null> {
  const list = useRef<T | null>(null);
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    const root = list.current;
    if (!root) return;
    root.dataset.dropGroup = options.group;
    let dragged: HTMLElement | undefined;
    let target: HTMLElement | undefined;
    const mark = (next: HTMLElement | undefined) => {
      if (next === target) return;
      target?.classList.remove('drop-target');
      target = next;
      target?.classList.add('drop-target');
    };
    const itemAt = (x: number, y: number): HTMLElement | undefined => {
      // SortableJS's floating copy lets pointer events through: this is what lies under the pointer.
      for (let element = document.elementFromPoint(x, y); element; element = element.parentElement) {
        const parent = element.parentElement;
        if (element instanceof HTMLElement && parent?.dataset.dropGroup === options.group) return element;
      }
      return undefined;
    };
    const track = (event: PointerEvent) => {
      const over = itemAt(event.clientX, event.clientY);
      mark(over && dragged && !dragged.contains(over) ? over : undefined);
    };
    // One Sortable per list (SortableJS drags only its list's own children); the drag's state lives in the list it
    // started from, which receives its start and end.
    const sortable = Sortable.create(root, {
      handle: options.handle,
      forceFallback: true,
      fallbackTolerance: 3,
      onStart(event) {
        dragged = event.item;
        document.addEventListener('pointermove', track);
      },
      onMove: () => false,
      onEnd() {
        document.removeEventListener('pointermove', track);
        const dropped = target;
        mark(undefined);
        if (dragged && dropped) latest.current.onDrop(dragged, dropped);
        dragged = undefined;
      },
    });
    return () => {
      document.removeEventListener('pointermove', track);
      sortable.destroy();
    };
  }, [options.handle, options.group]);
  return list;
}

/**
 * Keyboard reordering on a drag handle (a button): ArrowUp/ArrowDown (and Home/End) move the item; `move` gets
 * the new index, changes the state and says where the item went (`Moved to position 3 of 5`) through a live region.
 * Focus stays on the handle, which re-renders at the item's new place.
 */
export function reorderKey(event: KeyboardEvent, index: number, count: number, move: (to: number) => void): void {
  const to = { ArrowUp: index - 1, ArrowDown: index + 1, Home: 0, End: count - 1 }[event.key];
  if (to === undefined || to < 0 || to >= count || to === index) return;
  event.preventDefault();
  move(to);
}

/** `items` with the one at `from` moved to `to`. */
export function moved<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}
