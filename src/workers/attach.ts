// src/workers/: the worker integration. `attach()`, the worker shapes it
// accepts (`worker_like.ts`), the handle it keeps per worker and the message
// protocol both threads speak. It imports the core's public surface and its
// shared helpers (src/core/), and the worker-side runtime
// (src/runtime/worker/mod.ts), which in turn imports `_attach_protocol.ts`
// from here; nothing in the core or in another integration imports it.

/**
 * Workers whose protection scopes hold the process's shutdown.
 *
 * @module
 */

import type { ShutdownController } from "../core/shutdown_controller.ts";
import type { ProtectionScope } from "../core/protection_scope.ts";
import type { StopEvent } from "../core/runtime_adapter.ts";
import type { ShutdownCause } from "../core/types.ts";
import type { AttachableWorker, NodeWorkerLike, WorkerPoolLike } from "./worker_like.ts";
import { ShutdownError } from "../core/shutdown_error.ts";
import { _checkKnownKeys, _checkOptionalString, _checkOptions } from "../core/_options.ts";
import { _checkController } from "../core/shutdown_controller.ts";
import { _heldBy } from "../core/_machine_state.ts";
import { _describeNonWorker, _workerHandle, _workerKind } from "./_worker_handle.ts";
import type { _FromWorker, _ToWorker, _WorkerId } from "./_attach_protocol.ts";
import { type _Guest, _leave, _meet, _welcome } from "./_attach_meeting.ts";
import { _listenPort, type _PortListener } from "../runtime/worker/mod.ts";

const _OPTIONS = ["controller", "name"] as const;
/** How much longer than the worker's own scopes the parent holds: the report's trip. */
const _MARGIN_MS = 50;
/** How long a worker that ended during the shutdown is given for its last messages. */
const _LAST_WORDS_MS = 30;
/**
 * How long after its end a worker that was not welcomed yet is still heard on
 * the meeting channel: its own request() may be queued there on a loaded machine.
 */
const _MEETING_WORDS_MS = 250;
const _attached = new WeakSet<object>();

/** Options for {@linkcode attach}. */
export interface AttachOptions {
  /** The controller whose shutdown the worker's scopes hold. @default {shutdown} */
  controller?: ShutdownController;
  /** The step's and the holding scope's name in the report. @default {"worker"} */
  name?: string;
}

/**
 * Attaches a worker, or every thread of a worker pool (piscina, tinypool), to
 * the shutdown (call it on the main thread). Inside the worker, the
 * process-wide `shutdown` becomes the worker side of `controller`, however
 * late the worker loads the library: its `signal` aborts and `breakpoint()`
 * throws when the process is asked to stop, its open scopes hold the
 * process's shutdown (within the controller's budget), and its own hooks run.
 * A step named `name` waits for the worker's shutdown to end, then
 * terminates the worker (a pool's threads are left to the pool, which the
 * program closes as a step). A worker that has ended holds nothing; one
 * still loading is waited for up to the deadline; one that crashes or is
 * cut before its shutdown is over makes the step fail, never `ok`. At force
 * the worker is terminated at once. No message of the library's reaches a
 * handler of the program's or of a pool's.
 *
 * @example Hold the exit until a worker's iteration ends
 * ```ts
 * import { attach, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * // A real program leaves out `controller`; its worker imports `shutdown`
 * // and calls `scope.breakpoint()` in its loop (see README, "Workers").
 * const runtime = new FakeRuntime();
 * const controller = new ShutdownController({ runtime, budgetMs: 1_000 });
 * const code = "postMessage('up')";
 * const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
 * const worker = new Worker(url, { type: "module" });
 * attach(worker, { controller, name: "crunch" });
 * controller.request("done");
 * await runtime.advance(1_100); // a worker that never loads the library: the deadline
 * const report = await controller.done;
 * console.log(report.steps.map((step) => step.name)); // ["crunch"]
 * ```
 *
 * @param worker A Web Worker (Deno, Bun), a `node:worker_threads` Worker, or
 *   a pool whose `threads` are `node:worker_threads` Workers.
 * @param options The controller and the name.
 * @returns A disposable that detaches the worker (it is then left running).
 * @throws {TypeError} When `worker` is neither a worker nor a pool, or an option is invalid.
 * @throws {Error} When the worker is attached already.
 */
export function attach(
  worker: AttachableWorker | WorkerPoolLike,
  options?: AttachOptions,
): Disposable {
  _checkOptions("attach() options", options);
  _checkKnownKeys("attach() options", options, _OPTIONS);
  const controller = _checkController(options?.controller);
  const name = _checkOptionalString("name", options?.name) ?? "worker";
  const kind = _workerKind(worker);
  if (kind === undefined) {
    if (_isPool(worker)) return _attachPool(worker, controller, name);
    throw new TypeError(
      "worker must be a Web Worker, a node:worker_threads Worker or a pool with `threads`, got " +
        _describeNonWorker(worker),
    );
  }
  if (_attached.has(worker)) throw new Error("attach(): this worker is attached already");
  return _attachOne(worker as AttachableWorker, kind, controller, name);
}

function _isPool(value: unknown): value is WorkerPoolLike {
  if (typeof value !== "object" || value === null) return false;
  try {
    return Array.isArray((value as { threads?: unknown }).threads);
  } catch {
    return false;
  }
}

/**
 * Attaches every thread of `pool` that loads the library, now or later. One
 * step for the whole pool, registered now, so it runs before the program's
 * step that closes the pool (registered before attach()), whichever thread
 * came late: it waits while any thread holds (its tasks' scopes).
 */
function _attachPool(
  pool: WorkerPoolLike,
  controller: ShutdownController,
  name: string,
): Disposable {
  const attachments = new Map<object, _Attachment>();
  let active = true;
  let lost = 0;
  const wakers = new Set<() => void>();
  const changed = (): Promise<void> => new Promise((resolve) => wakers.add(resolve));
  const onChange = (): void => {
    for (const wake of [...wakers]) wake();
    wakers.clear();
  };
  const registration = controller.onShutdown(async ({ signal }) => {
    let busy = 0;
    for (;;) {
      busy = [...attachments.values()].filter((attachment) => attachment.busy()).length;
      if (busy === 0 || signal.aborted) break;
      await Promise.race([changed(), _aborted(signal)]);
    }
    if (busy === 0 && lost === 0) return;
    throw new Error(
      lost > 0
        ? `${lost} of the pool's threads ended with tasks in flight (crashed or terminated)`
        : `${busy} of the pool's threads still had tasks in flight at the deadline`,
    );
  }, { name });
  const take = (item: unknown): void => {
    const thread = _poolThread(item);
    if (!active || thread === undefined || _attached.has(thread)) return;
    const attachment = _attachOne(thread, "node", controller, name, {
      onChange,
      onLost: () => lost++,
      onRelease: () => attachments.delete(thread),
    });
    attachments.set(thread, attachment);
  };
  const guest: _Guest = {
    hello(id: _WorkerId): void {
      if (id === null) return;
      const thread = pool.threads.find((thread) => _poolThread(thread)?.threadId === id);
      if (thread !== undefined) take(thread);
    },
  };
  _meet(guest);
  for (const thread of pool.threads) take(thread);
  return {
    [Symbol.dispose](): void {
      if (!active) return;
      active = false;
      registration[Symbol.dispose]();
      _leave(guest);
      for (const attachment of [...attachments.values()]) attachment[Symbol.dispose]();
      attachments.clear();
    },
  };
}

/** One attached worker. */
interface _Attachment extends Disposable {
  /** Whether its scopes hold. */
  busy(): boolean;
}

/** How a pool's thread is attached: no step of its own; the pool ends it. */
interface _PoolThread {
  onChange(): void;
  onLost(): void;
  onRelease(): void;
}

/** The worker_threads Worker of a pool's entry: itself (piscina), or its `thread` (tinypool). */
function _poolThread(item: unknown): NodeWorkerLike | undefined {
  if (_workerKind(item) === "node") return item as NodeWorkerLike;
  const thread = (item as { thread?: unknown } | null)?.thread;
  return _workerKind(thread) === "node" ? thread as NodeWorkerLike : undefined;
}

/** Attaches one worker: a program's (its own step ends it), or a pool's thread. */
function _attachOne(
  worker: AttachableWorker,
  kind: "node" | "web",
  controller: ShutdownController,
  name: string,
  pool?: _PoolThread,
): _Attachment {
  let active = true;
  let ended = false;
  let endedWhileStopping = false;
  let isDone = false;
  let port: MessagePort | undefined;
  let listener: _PortListener | undefined;
  let proxy: ProtectionScope | undefined;
  let stoppedAt: number | undefined;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => finished = resolve);
  /** What the worker said last: whether its scopes hold. */
  let holding = false;

  /** What is left of the controller's deadline once stopping, else undefined. */
  const left = (): number | undefined =>
    stoppedAt === undefined
      ? undefined
      : Math.max(0, controller.budgetMs - (performance.now() - stoppedAt));

  // Registered first: a refused registration leaves nothing behind.
  const registration = pool !== undefined
    ? undefined
    : controller.onShutdown(async ({ signal }) => {
      if (!isDone && !ended) await Promise.race([done, handle.ended, _aborted(signal)]);
      // A worker that ended while stopping may still have its last words in flight.
      if (!isDone && endedWhileStopping) {
        await Promise.race([done, _later(_LAST_WORDS_MS)]);
      }
      handle.terminate();
      if (isDone || (ended && !endedWhileStopping)) return;
      // Never `ok` for work that did not run.
      throw new Error(
        endedWhileStopping
          ? `the worker ended before its shutdown was over (crashed or terminated)`
          : port === undefined
          ? `the worker never loaded @graceful/shutdown within the deadline`
          : `the worker's shutdown was not over within the deadline`,
      );
    }, { name });

  const busy = (): boolean => active && !ended && !isDone && holding;
  /**
   * Whether what `id` says on the meeting channel is this worker's, before its
   * port is there: never a Deno Web Worker's (id null), which any may say.
   */
  const saidByIt = (id: _WorkerId): boolean =>
    id !== null && id === handle.id && port === undefined;
  const guest: _Guest = {
    hello(id: _WorkerId, flag?: SharedArrayBuffer): void {
      if (id === handle.id && port === undefined) _welcome(id, flag);
    },
    // Until the port is there, what it holds and that it is done come here.
    hold(id: _WorkerId, holds: boolean): void {
      if (!saidByIt(id)) return;
      holding = holds;
      hold(holds, null);
      pool?.onChange();
    },
    done(id: _WorkerId, requested: number | undefined): void {
      if (saidByIt(id)) onDone(requested);
    },
  };

  /** The worker's shutdown is over; `requested`: by its own request(), with its exit code. */
  const onDone = (requested: number | undefined): void => {
    if (isDone) return;
    isDone = true;
    hold(false, null);
    finished();
    // The worker's own request(): shutdown is process-wide, so the process stops too.
    if (requested !== undefined && stoppedAt === undefined) {
      const why = `the worker "${name}" requested the shutdown`;
      controller.request(requested === 0 ? why : new Error(`${why} (exit code ${requested})`));
    }
    pool?.onChange();
  };

  const handle = _workerHandle(worker, kind, (received) => {
    if (port !== undefined || ended || !active) {
      received.close();
      return;
    }
    _leave(guest);
    port = received;
    listener = _listenPort(port, (data) => {
      const message = data as _FromWorker;
      if (message.type === "hold") {
        holding = message.holding;
        hold(message.holding, message.remainingMs);
        pool?.onChange();
      } else if (message.type === "ended") handle.end();
      else if (message.type === "done") onDone(message.requested);
    });
    post({ type: "options", budgetMs: controller.budgetMs });
    if (stoppedAt !== undefined) sendStop();
    pool?.onChange();
  }, () => {
    listener?.drain();
    const wasBusy = busy();
    ended = true;
    endedWhileStopping = stoppedAt !== undefined && !isDone;
    // A pool's thread ended with tasks in flight, unless its last words say otherwise.
    if (pool !== undefined && wasBusy && stoppedAt !== undefined) {
      setTimeout(() => {
        if (holding || port === undefined) pool.onLost();
        pool.onChange();
      }, _LAST_WORDS_MS);
    }
    pool?.onChange();
    hold(false, null);
    _heldBy(controller).delete(held);
    // Its last messages ("done", maybe with its own request()) may still be on
    // their way, on the port (read above, and for a moment after) or, not
    // welcomed yet, on the meeting channel. Still no stop by then: no step and
    // no listener are left, so memory follows live workers.
    const last = setTimeout(() => {
      listener?.close();
      if (stoppedAt !== undefined) return;
      registration?.[Symbol.dispose]();
      controller.signal.removeEventListener("abort", onStop);
    }, _LAST_WORDS_MS);
    (last as { unref?(): void }).unref?.();
    const forget = setTimeout(() => _leave(guest), _MEETING_WORDS_MS);
    (forget as { unref?(): void }).unref?.();
    // A pool's thread that ended before the stop is forgotten: pools replace theirs.
    if (pool !== undefined && stoppedAt === undefined) attachment[Symbol.dispose]();
  });
  _attached.add(worker);
  _meet(guest);
  _welcome(handle.id);

  const post = (message: _ToWorker): void => {
    try {
      port?.postMessage(message);
    } catch {
      // The worker is gone.
    }
  };

  /** Holds the process's shutdown while the worker's scopes hold, for as long as they may. */
  const hold = (holding: boolean, remainingMs: number | null): void => {
    if (!holding || ended || !active) {
      proxy?.[Symbol.dispose]();
      proxy = undefined;
      return;
    }
    // Never past the controller's own deadline: its budget governs its workers.
    const rest = left();
    let budget = remainingMs === null ? undefined : remainingMs + _MARGIN_MS;
    if (rest !== undefined) budget = Math.min(budget ?? rest, rest);
    if (proxy !== undefined && budget === undefined) return;
    let next: ProtectionScope;
    try {
      next = controller.protect(budget, { name });
    } catch {
      return; // a disposed controller
    }
    // The new scope first, then the old one closes: nothing lets go in between.
    proxy?.[Symbol.dispose]();
    proxy = next;
    next.signal.addEventListener("abort", () => {
      const reason = next.signal.reason;
      if (!(reason instanceof ShutdownError) || reason.kind !== "forced") return;
      // At the natural end the main thread's open scopes are abandoned (nothing
      // is left to close them), but the worker still runs and can close its
      // own: its step waits for it, keeping the process alive meanwhile.
      if (reason.message.startsWith("abandoned")) {
        listener?.ref();
        return;
      }
      handle.terminate();
    });
  };

  const sendStop = (): void => {
    const reason = controller.signal.reason;
    const cause = reason instanceof ShutdownError ? reason.cause as ShutdownCause : undefined;
    post({ type: "stop", event: _eventOf(cause), budgetMs: left() ?? controller.budgetMs });
  };

  const onStop = (): void => {
    stoppedAt = performance.now();
    // Until the worker answers, what it holds is not known: hold meanwhile,
    // up to the deadline if the library has not loaded there yet.
    // A pool's thread holds only for its tasks: idle, it may not hear the stop.
    if (!ended && (pool === undefined || busy())) hold(true, port === undefined ? left()! : null);
    sendStop();
  };
  if (controller.signal.aborted) onStop();
  else controller.signal.addEventListener("abort", onStop);

  // Whatever ends the shutdown (force, exit()), the worker does not outlive it.
  const held = { pid: undefined, group: false, kill: () => active && handle.terminate() };
  _heldBy(controller).add(held);

  const attachment: _Attachment = {
    busy,
    [Symbol.dispose](): void {
      if (!active) return;
      active = false;
      registration?.[Symbol.dispose]();
      controller.signal.removeEventListener("abort", onStop);
      hold(false, null);
      handle.release();
      listener?.close();
      _leave(guest);
      _attached.delete(worker);
      pool?.onRelease();
    },
  };
  return attachment;
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

function _later(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
