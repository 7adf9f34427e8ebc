// One handle over the two kinds of worker attach() takes: how to send it the
// handshake, how to learn that it ended, how to end it. Only the worker object
// the program passed in is touched.

import type { AttachableWorker, NodeWorkerLike, WebWorkerLike } from "./worker_like.ts";
import { _show } from "./_validate.ts";

/** A worker, whatever its kind. */
export interface _WorkerHandle {
  /** Posts `message` on the worker's own channel, transferring `transfer`. */
  post(message: unknown, transfer: unknown[]): void;
  /** Ends the worker (once). */
  terminate(): void;
  /** Resolves once the worker has ended: it exited, crashed or was terminated. */
  readonly ended: Promise<void>;
  /** Stops watching the worker. */
  release(): void;
}

/** `"node"` for a worker_threads Worker, `"web"` for a Web Worker, else undefined. */
export function _workerKind(value: unknown): "node" | "web" | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const worker = value as Record<string, unknown>;
  if (typeof worker.postMessage !== "function" || typeof worker.terminate !== "function") {
    return undefined;
  }
  if (typeof worker.threadId === "number" && typeof worker.on === "function") return "node";
  if (typeof worker.addEventListener === "function") return "web";
  return undefined;
}

/** Describes a value that is not a worker, for the TypeError. */
export function _describeNonWorker(value: unknown): string {
  if (typeof value !== "object" || value === null) return _show(value);
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return `${name ? `a ${name}` : "an object"} without postMessage/terminate and worker events`;
}

/** Makes the handle for `worker` of `kind`. */
export function _workerHandle(worker: AttachableWorker, kind: "node" | "web"): _WorkerHandle {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => end = resolve);
  let release: () => void;
  if (kind === "node") {
    // `exit` only: an `error` listener would stop the crash from reaching
    // the parent, which is the runtime's behaviour to keep.
    const node = worker as NodeWorkerLike;
    const onExit = (): void => end();
    node.on("exit", onExit);
    release = () => void node.off("exit", onExit);
  } else {
    // Bun says `close`; Deno says nothing when a worker ends, only `error`
    // when it crashes (listening does not stop the error from propagating).
    const web = worker as WebWorkerLike;
    const onEnd = (): void => end();
    web.addEventListener("close", onEnd);
    web.addEventListener("error", onEnd);
    release = () => {
      web.removeEventListener("close", onEnd);
      web.removeEventListener("error", onEnd);
    };
  }
  let terminated = false;
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate(): void {
      if (terminated) return;
      terminated = true;
      try {
        const result = worker.terminate() as unknown;
        if (result instanceof Promise) result.catch(() => {});
      } catch {
        // Already gone.
      }
      end(); // Deno tells nothing after terminate()
    },
    ended,
    release: () => release(),
  };
}
