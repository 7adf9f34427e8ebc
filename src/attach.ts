/**
 * Workers whose protection scopes hold the process's shutdown.
 *
 * @module
 */

import type { ShutdownController } from "./shutdown_controller.ts";
import type { ProtectionScope } from "./protection_scope.ts";
import type { StopEvent } from "./runtime_adapter.ts";
import type { ShutdownCause } from "./types.ts";
import type { AttachableWorker } from "./worker_like.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _checkKnownKeys, _checkOptionalString, _checkOptions } from "./_validate.ts";
import { _checkController } from "./_check_controller.ts";
import { _heldBy } from "./_adopted.ts";
import { _describeNonWorker, _workerHandle, _workerKind } from "./_worker_handle.ts";
import { type _FromWorker, _HANDSHAKE_KEY, type _ToWorker } from "./_attach_protocol.ts";

const _OPTIONS = ["controller", "name"] as const;
/** How much longer than the worker's own scopes the parent holds: the report's trip. */
const _MARGIN_MS = 50;
/** How long a worker that never answered yet is waited for at the stop. */
const _FIRST_ANSWER_MS = 1_000;
const _attached = new WeakSet<object>();

/** Options for {@linkcode attach}. */
export interface AttachOptions {
  /** The controller whose shutdown the worker's scopes hold. @default {shutdown} */
  controller?: ShutdownController;
  /** The step's and the holding scope's name in the report. @default {"worker"} */
  name?: string;
}

/**
 * Attaches a worker to the shutdown (call it on the main thread). Inside the
 * worker, the process-wide `shutdown` becomes the worker side of `controller`:
 * its `signal` aborts and `breakpoint()` throws when the process is asked to
 * stop, its open scopes hold the process's shutdown (within their budgets),
 * and its own hooks run. A step named `name` waits for the worker's shutdown
 * to end, then terminates the worker; a crashed or ended worker holds
 * nothing, and at force the worker is terminated at once.
 *
 * @example Hold the exit until a worker's iteration ends
 * ```ts
 * import { attach, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * // A real program leaves out `controller`; its worker imports `shutdown`
 * // and calls `scope.breakpoint()` in its loop (see README, "Workers").
 * const runtime = new FakeRuntime();
 * const controller = new ShutdownController({ runtime });
 * const code = "postMessage('up')";
 * const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
 * const worker = new Worker(url, { type: "module" });
 * attach(worker, { controller, name: "crunch" });
 * controller.request("done");
 * await runtime.advance(1_100); // a worker that never answers is waited for ~1 s
 * const report = await controller.done;
 * console.log(report.steps.map((step) => step.name)); // ["crunch"]
 * ```
 *
 * @param worker A Web Worker (Deno, Bun) or a `node:worker_threads` Worker.
 * @param options The controller and the name.
 * @returns A disposable that detaches the worker (it is then left running).
 * @throws {TypeError} When `worker` is not a worker or an option is invalid.
 * @throws {Error} When the worker is attached already.
 */
export function attach(worker: AttachableWorker, options?: AttachOptions): Disposable {
  _checkOptions("attach() options", options);
  _checkKnownKeys("attach() options", options, _OPTIONS);
  const controller = _checkController(options?.controller);
  const name = _checkOptionalString("name", options?.name) ?? "worker";
  const kind = _workerKind(worker);
  if (kind === undefined) {
    throw new TypeError(
      "worker must be a Web Worker or a node:worker_threads Worker, got " +
        _describeNonWorker(worker),
    );
  }
  if (_attached.has(worker)) throw new Error("attach(): this worker is attached already");

  let active = true;
  let ended = false;
  let heard = false; // the worker side answered: the library runs there
  let proxy: ProtectionScope | undefined;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => finished = resolve);

  // Registered first: a refused registration leaves nothing behind.
  const registration = controller.onShutdown(async ({ signal }) => {
    if (heard && !ended) {
      await Promise.race([done, handle.ended, _aborted(signal)]);
    }
    handle.terminate();
  }, { name });
  const channel = new MessageChannel();
  const handle = _workerHandle(worker, kind);
  try {
    handle.post({ [_HANDSHAKE_KEY]: 1, port: channel.port2 }, [channel.port2]);
  } catch (error) {
    registration[Symbol.dispose]();
    handle.release();
    channel.port1.close();
    throw error;
  }
  _attached.add(worker);

  /** Holds the process's shutdown while the worker's scopes hold, for as long as they may. */
  const hold = (holding: boolean, remainingMs: number | null): void => {
    if (!holding || ended || !active) {
      proxy?.[Symbol.dispose]();
      proxy = undefined;
      return;
    }
    if (proxy !== undefined && remainingMs === null) return;
    let next: ProtectionScope;
    try {
      next = controller.protect(remainingMs === null ? undefined : remainingMs + _MARGIN_MS, {
        name,
      });
    } catch {
      return; // a disposed controller
    }
    // The new scope first, then the old one closes: nothing lets go in between.
    proxy?.[Symbol.dispose]();
    proxy = next;
    next.signal.addEventListener("abort", () => {
      const reason = next.signal.reason;
      if (reason instanceof ShutdownError && reason.kind === "forced") handle.terminate();
    });
  };

  const port = channel.port1;
  port.onmessage = (event: MessageEvent<_FromWorker>) => {
    const message = event.data;
    heard = true;
    if (message.type === "hold") hold(message.holding, message.remainingMs);
    else if (message.type === "done") {
      hold(false, null);
      finished();
    }
  };
  (port as { unref?(): void }).unref?.();

  const onStop = (): void => {
    // Until the worker answers, what it holds is not known: hold meanwhile;
    // briefly if it never spoke yet (its code may not use the library).
    if (!ended) hold(true, heard ? null : _FIRST_ANSWER_MS);
    const reason = controller.signal.reason;
    const cause = reason instanceof ShutdownError ? reason.cause as ShutdownCause : undefined;
    const message: _ToWorker = { type: "stop", event: _eventOf(cause) };
    port.postMessage(message);
  };
  if (controller.signal.aborted) onStop();
  else controller.signal.addEventListener("abort", onStop);

  handle.ended.then(() => {
    ended = true;
    hold(false, null);
    port.close();
    // An ended worker is no step (a no-op once its step has started), and no listener.
    registration[Symbol.dispose]();
    controller.signal.removeEventListener("abort", onStop);
    _heldBy(controller).delete(held);
  });
  // Whatever ends the shutdown (force, exit()), the worker does not outlive it.
  const held = { pid: undefined, group: false, kill: () => active && handle.terminate() };
  _heldBy(controller).add(held);

  return {
    [Symbol.dispose](): void {
      if (!active) return;
      active = false;
      registration[Symbol.dispose]();
      controller.signal.removeEventListener("abort", onStop);
      hold(false, null);
      handle.release();
      port.close();
      _attached.delete(worker);
    },
  };
}

/** The stop event a worker is given: the parent's signal, or SIGTERM. */
function _eventOf(cause: ShutdownCause | undefined): StopEvent {
  if (cause?.kind === "signal" && cause.signal !== undefined) {
    return { kind: "signal", signal: cause.signal };
  }
  if (cause?.kind === "console" && cause.event !== undefined) {
    return { kind: "console", event: cause.event };
  }
  return { kind: "signal", signal: "SIGTERM" };
}

function _aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
