// Waiting for something to end, but no longer than a time limit or an abort:
// how a drain waits for its server and an adopted child's step for its exit.

/**
 * Resolves true once `promise` settles (fulfilled or rejected), false when
 * `ms` pass (never, for `Infinity`) or `signal` aborts first.
 */
export function _settlesWithin(
  promise: Promise<unknown>,
  ms: number,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (settled: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(settled);
    };
    const onAbort = (): void => finish(false);
    if (signal.aborted) return finish(false);
    signal.addEventListener("abort", onAbort, { once: true });
    if (Number.isFinite(ms)) timer = setTimeout(() => finish(false), ms);
    promise.then(() => finish(true), () => finish(true));
  });
}
