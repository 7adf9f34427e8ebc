/**
 * The shapes of the workers that `attach()` takes, described by what it uses,
 * so no runtime's type definitions are needed.
 *
 * @module
 */

/** What `attach()` uses of a Web Worker (Deno's or Bun's global `Worker`). */
export interface WebWorkerLike {
  /** Sends a message to the worker, transferring `transfer`. */
  postMessage(message: unknown, transfer: unknown[]): void;
  /** Ends the worker at once. */
  terminate(): void;
  /** Listens for `message` (the library's handshake), `error` (a crash) and `close` (Bun). */
  addEventListener(
    type: string,
    listener: (event: Event) => void,
    options?: { capture?: boolean },
  ): void;
  /** Undoes `addEventListener`. */
  removeEventListener(
    type: string,
    listener: (event: Event) => void,
    options?: { capture?: boolean },
  ): void;
}

/** What `attach()` uses of a `node:worker_threads` Worker (Node, Bun, Deno). */
export interface NodeWorkerLike {
  /** The worker's thread id. */
  readonly threadId: number;
  /** Sends a message to the worker's `parentPort`, transferring `transferList`. */
  postMessage(message: unknown, transferList?: readonly unknown[]): void;
  /** Ends the worker; resolves with its exit code. */
  terminate(): unknown;
  /** Listens for `exit`: the worker ended, however (a crash included). */
  on(event: "exit", listener: (code: number) => void): unknown;
  /** Undoes `on`. */
  off(event: "exit", listener: (code: number) => void): unknown;
}

/** A worker `attach()` takes: a Web Worker or a `node:worker_threads` Worker. */
export type AttachableWorker = WebWorkerLike | NodeWorkerLike;

/**
 * A pool of `node:worker_threads` workers, such as piscina's or tinypool's:
 * what `attach()` uses of it is its `threads`, read each time a thread of
 * the pool loads the library, so threads the pool starts later (replacements)
 * are attached too.
 */
export interface WorkerPoolLike {
  /** The pool's live threads. */
  readonly threads: readonly NodeWorkerLike[];
}
