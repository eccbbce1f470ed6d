type Tasks<T extends readonly unknown[]> = { [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> };

/**
 * Runs tasks at once under one signal. The first to fail aborts the others, and
 * the result comes only once every task has stopped, so nothing is still
 * writing when the caller cleans up after a failure.
 */
export async function runTogether<T extends readonly unknown[]>(tasks: Tasks<T>, signal?: AbortSignal): Promise<T> {
  const failed = new AbortController();
  const shared = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
  const results = await Promise.allSettled(
    tasks.map((task) =>
      task(shared).catch((error: unknown) => {
        failed.abort(error);
        throw error;
      }),
    ),
  );
  if (results.some((result) => result.status === 'rejected')) throw signal?.aborted ? signal.reason : failed.signal.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
