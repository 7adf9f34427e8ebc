// One handle over the two kinds of worker attach() takes: how to receive the
// worker's handshake before any handler of the program's (or a pool's) sees
// it, how to learn that it ended, how to end it. Only the worker object the
// program passed in is touched.

import type { AttachableWorker, NodeWorkerLike, WebWorkerLike } from "./worker_like.ts";
import { _isHandshake } from "./_attach_protocol.ts";
import { _show } from "../core/_options.ts";

/** A worker, whatever its kind. */
export interface _WorkerHandle {
  /** The worker's threadId, or null (a Deno Web Worker has none). */
  readonly id: number | null;
  /** Ends the worker (once). */
  terminate(): void;
  /** Resolves once the worker has ended: it exited, crashed or was terminated. */
  readonly ended: Promise<void>;
  /** Marks the worker ended (it said it closes itself). */
  end(): void;
  /** Stops watching the worker and gives its own methods back. */
  release(): void;
}

/** `"node"` for a worker_threads Worker, `"web"` for a Web Worker, else undefined. */
export function _workerKind(value: unknown): "node" | "web" | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const worker = value as Record<string, unknown>;
  if (typeof worker.postMessage !== "function" || typeof worker.terminate !== "function") {
    return undefined;
  }
  if (
    typeof worker.threadId === "number" && typeof worker.on === "function" &&
    typeof worker.off === "function"
  ) return "node";
  if (typeof worker.addEventListener === "function") return "web";
  return undefined;
}

/** Describes a value that is not a worker, for the TypeError: what it lacks. */
export function _describeNonWorker(value: unknown): string {
  if (typeof value !== "object" || value === null) return _show(value);
  const object = value as Record<string, unknown>;
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  const what = name && name !== "Object"
    ? `${/^[AEIOU]/i.test(name) ? "an" : "a"} ${name}`
    : "an object";
  const missing = ["postMessage", "terminate"].filter((key) => typeof object[key] !== "function");
  if (missing.length > 0) return `${what} without ${missing.join(" or ")}`;
  return `${what} with neither a threadId and on() (worker_threads) nor addEventListener() (Web Worker)`;
}

type _Emit = (type: string | symbol, ...args: unknown[]) => boolean;
type _Dispatch = (event: Event) => boolean;

/** Marks `Worker.prototype` filtered, for every copy of the library in the thread. */
const _FILTERED = Symbol.for("@graceful/shutdown/attach-filter");

/**
 * Keeps the library's handshake from the handlers of every Web Worker of the
 * thread, attached or not, once per thread (whichever copy of the library
 * comes first). A Deno Web Worker has no threadId, so one nobody attached may
 * be welcomed by an attach() waiting for another: its handshake is dropped
 * and its port closed, so it holds nothing. An attached worker's handshake
 * never gets here: its own `dispatchEvent` (below) takes it first.
 */
export function _filterWebWorkers(): void {
  const g = globalThis as unknown as { Worker?: { prototype?: Record<PropertyKey, unknown> } };
  const proto = g.Worker?.prototype;
  if (proto === undefined || proto[_FILTERED] === true) return;
  const dispatch = proto.dispatchEvent;
  if (typeof dispatch !== "function") return;
  Object.defineProperty(proto, _FILTERED, { value: true });
  Object.defineProperty(proto, "dispatchEvent", {
    configurable: true,
    writable: true,
    value: function dispatchEvent(this: unknown, event: Event): boolean {
      const data = (event as MessageEvent | undefined)?.data;
      if (event?.type !== "message" || !_isHandshake(data)) return dispatch.call(this, event);
      data.port.close();
      return true;
    },
  });
}

/**
 * Makes the handle for `worker` of `kind`; `onHandshake` receives the port
 * the worker side sends, `onEnd` is called once when the worker has ended.
 */
export function _workerHandle(
  worker: AttachableWorker,
  kind: "node" | "web",
  onHandshake: (port: MessagePort) => void,
  onEnd: () => void,
): _WorkerHandle {
  let resolve!: () => void;
  const ended = new Promise<void>((done) => resolve = done);
  let over = false;
  /** Tells at once (the program's terminate() and a shutdown request may share a turn). */
  const end = (): void => {
    if (over) return;
    over = true;
    onEnd();
    resolve();
  };
  const object = worker as unknown as Record<string, unknown>;
  const undo: (() => void)[] = [];
  // Undone on release only while the worker lives: once it has ended (a pool
  // terminates a thread and it is released at once), its handshake may still
  // be on its way, and it must never reach the program's handlers.
  const undoFilters: (() => void)[] = [];
  /** Replaces the instance's method `key`, putting back what was there on release. */
  const wrap = <F>(key: string, make: (original: F) => F, list = undo): void => {
    const own = Object.prototype.hasOwnProperty.call(object, key);
    const before = object[key];
    const replaced = make((before as F & { bind(self: unknown): F }).bind(worker));
    object[key] = replaced;
    list.push(() => {
      if (object[key] !== replaced) return; // wrapped again since: leave it
      if (own) object[key] = before;
      else delete object[key];
    });
  };
  let id: number | null = null;
  if (kind === "node") {
    // A worker_threads Worker is an EventEmitter, which has no way to stop an
    // event from reaching listeners added earlier: the handshake is taken out
    // at `emit`. `exit` only: an `error` listener would stop the crash from
    // reaching the parent, which is the runtime's behaviour to keep.
    const node = worker as NodeWorkerLike;
    id = node.threadId;
    wrap<_Emit>("emit", (emit) => (type, ...args) => {
      if (type === "message" && _isHandshake(args[0])) {
        onHandshake(args[0].port);
        return true;
      }
      return emit(type, ...args);
    }, undoFilters);
    const onExit = (): void => end();
    node.on("exit", onExit);
    undo.push(() => void node.off("exit", onExit));
  } else {
    // Deno dispatches a Web Worker's messages through `dispatchEvent`; Bun
    // does not, but runs a capturing listener before the others.
    _filterWebWorkers();
    const web = worker as WebWorkerLike;
    const threadId = (worker as { threadId?: unknown }).threadId;
    id = typeof threadId === "number" ? threadId : null;
    wrap<_Dispatch>("dispatchEvent", (dispatch) => (event) => {
      const data = (event as MessageEvent).data;
      if (event.type === "message" && _isHandshake(data)) {
        onHandshake(data.port);
        return true;
      }
      return dispatch(event);
    }, undoFilters);
    const onMessage = (event: Event): void => {
      const data = (event as MessageEvent).data;
      if (!_isHandshake(data)) return;
      event.stopImmediatePropagation();
      onHandshake(data.port);
    };
    const capture = { capture: true };
    web.addEventListener("message", onMessage, capture);
    // Bun says `close`; Deno says nothing when a worker ends, only `error`
    // when it crashes (listening does not stop the error from propagating).
    const onEnd = (): void => end();
    web.addEventListener("close", onEnd);
    web.addEventListener("error", onEnd);
    undoFilters.push(() => web.removeEventListener("message", onMessage, capture));
    undo.push(() => {
      web.removeEventListener("close", onEnd);
      web.removeEventListener("error", onEnd);
    });
  }
  // The program's own terminate() ends the worker too (Deno tells nothing after it).
  wrap<() => unknown>("terminate", (terminate) => () => {
    end();
    return terminate();
  });
  let terminated = false;
  return {
    id,
    terminate(): void {
      if (terminated) return;
      terminated = true;
      try {
        const result = worker.terminate() as unknown;
        if (result instanceof Promise) result.catch(() => {});
      } catch {
        // Already gone.
      }
      end();
    },
    ended,
    end: () => end(),
    release(): void {
      for (const step of undo.splice(0)) step();
      if (!over) { for (const step of undoFilters.splice(0)) step(); }
    },
  };
}
