// Deno's uncaught errors: the `error` and `unhandledrejection` events. The
// program's own handlers must win, as on Node and Bun, but Deno calls the
// library's listener first when it was added first, and hands the rejection
// to `process.on("unhandledRejection")` (node:process) only after the event,
// when nothing cancelled it.

import type { UncaughtKind, Unsubscribe } from "../../core/runtime_adapter.ts";

type _Listener = (error: unknown, kind: UncaughtKind) => boolean;

interface _NodeProcessLike {
  listenerCount?(event: string): number;
}

/** Listens for uncaught errors the program does not handle itself. */
export function _onUncaught(listener: _Listener): Unsubscribe {
  // A program's own listener that already cancelled the event handles it.
  const onError = (event: ErrorEvent): void => {
    if (!event.defaultPrevented && listener(_errorOf(event), "exception")) event.preventDefault();
  };
  const onRejection = (event: PromiseRejectionEvent): void => {
    if (event.defaultPrevented || _nodeHandles("unhandledRejection")) return;
    // Later listeners have yet to run: cancel for now (or Deno crashes at the
    // end of the dispatch), note whether one of them cancels too, and decide
    // a microtask later, once the dispatch is over.
    let handled = false;
    const cancel = event.preventDefault.bind(event);
    Object.defineProperty(event, "preventDefault", {
      configurable: true,
      value: () => {
        handled = true;
        cancel();
      },
    });
    cancel();
    queueMicrotask(() => {
      if (handled || listener(event.reason, "rejection")) return;
      // The library declined (its shutdown is over): crash as Deno would.
      console.error(`error: Uncaught (in promise) ${Deno.inspect(event.reason)}`);
      Deno.exit(1);
    });
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  return () => {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  };
}

/** Whether node:process has a listener for `event` (Deno hands it the error after the event). */
function _nodeHandles(event: string): boolean {
  const proc = (globalThis as { process?: _NodeProcessLike }).process;
  return (proc?.listenerCount?.(event) ?? 0) > 0;
}

/**
 * The event's error. A crashed Web Worker's error reaches the parent with
 * `error: null` (the worker printed its own): said as Deno says it without
 * the library, "Error: Unhandled error in child worker.", not "null".
 */
function _errorOf(event: ErrorEvent): unknown {
  if (event.error !== null && event.error !== undefined) return event.error;
  const error = new Error("Unhandled error in child worker.");
  error.stack = "Error: Unhandled error in child worker.";
  return error;
}
