/**
 * What a kernel has opened, to close in reverse: the last resource opened is the first closed, as with avvio's
 * close hooks. The kernel registers each resource the moment it exists, so a boot that fails halfway closes
 * exactly what it got to, and `stop()` closes everything — the same list, the same order.
 */
export interface Closer {
  /** Registers how to close `name` (opened just now): it runs before everything registered earlier. */
  defer(name: string, close: () => Promise<void> | void): void;
  /**
   * Closes everything registered, newest first, once (later calls get the same promise). A close that fails is
   * reported and the rest still run; the promise then rejects with the first failure.
   */
  close(): Promise<void>;
  /** The names still to close, newest first. */
  readonly open: readonly string[];
}

export interface CloserOptions {
  /** A close that failed, by name; the others run on. */
  onError?(name: string, error: unknown): void;
}

/** A {@link Closer}: register as you open, close in reverse. */
export function createCloser(options: CloserOptions = {}): Closer {
  const stack: { name: string; close: () => Promise<void> | void }[] = [];
  let closing: Promise<void> | undefined;

  const closeAll = async () => {
    const failures: unknown[] = [];
    for (let entry = stack.pop(); entry; entry = stack.pop()) {
      try {
        await entry.close();
      } catch (error) {
        failures.push(error);
        options.onError?.(entry.name, error);
      }
    }
    if (failures.length > 0) throw failures[0];
  };

  return {
    defer(name, close) {
      stack.push({ name, close });
      // Opened while closing (a start racing a stop): closed too, after what is closing now (failures were reported).
      if (closing) void closing.then(closeAll, closeAll).catch(() => undefined);
    },
    close: () => (closing ??= closeAll()),
    get open() {
      return stack.map((entry) => entry.name).reverse();
    },
  };
}
