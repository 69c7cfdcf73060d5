export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Resolves like `promise`, or rejects with {@link TimeoutError} after `ms`. */
export async function withTimeout<T>(promise: PromiseLike<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
