// The Deno adapter: `Deno.addSignalListener` for signals, the global
// `beforeunload` / `unload` / `error` / `unhandledrejection` events for the
// end of the program and uncaught errors; on Windows it also loads the
// console handler (FFI), and only there. With it, the helpers only it uses
// (the signal tally, lazy timers): one module on the way in. The public
// entry is ./mod.ts, which re-exports `denoRuntime` only.

import type {
  DieOptions,
  RuntimeAdapter,
  StopEventListener,
  StopListenerOptions,
  StopSignal,
  UncaughtKind,
  Unsubscribe,
} from "../../core/runtime_adapter.ts";
import {
  _DENO_WINDOWS_SIGNALS,
  _osPolicy,
  _POSIX_SIGNALS,
  _statusFor,
  _turnsLater,
} from "../../core/_platform.ts";
import { _leaveNotice } from "../../core/_report_and_exit.ts";
import { _RERAISE_FALLBACK_MS, _subscribe } from "../_shared.ts";

/**
 * Makes the adapter for the running Deno process.
 *
 * @example
 * ```ts
 * import { denoRuntime } from "@graceful/shutdown/runtime/deno";
 *
 * if ("Deno" in globalThis) console.log(denoRuntime().policy.defaultBudgetMs);
 * ```
 * @throws {Error} When not running on Deno.
 */
export function denoRuntime(): RuntimeAdapter {
  if (!("Deno" in globalThis)) throw new Error("denoRuntime() needs the Deno runtime");
  const os = Deno.build.os === "windows" ? "windows" : "posix";
  const tally = _signalTally();
  // A signal listener in a Worker gets the process's signals and swallows
  // them (Deno #36213); Bun and Node never deliver signals to workers: the
  // main thread owns them, on Deno too.
  const inWorker = "WorkerGlobalScope" in globalThis;
  const encoder = new TextEncoder();
  const writeStderr = (text: string): void => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
  };
  return {
    name: "deno",
    os,
    policy: _osPolicy(os),
    processWide: true,
    signals: inWorker ? [] : os === "windows" ? _DENO_WINDOWS_SIGNALS : _POSIX_SIGNALS,
    now: () => performance.now(),
    setTimer: (callback, ms) => _setLazyTimer(callback, ms),
    clearTimer: _clearLazyTimer,
    // Not a timer, which would cost more than the rehearsal it starts (see
    // _setLazyTimer): a program that ends at once compiles the same code
    // for its own end, so the rehearsal adds only its run, ~0.1 ms.
    whenIdle(callback: () => void): unknown {
      if (os === "posix" && !inWorker) _readKillLater();
      return _afterTurns(callback);
    },
    addStopListener(
      signals: readonly StopSignal[],
      listener: StopEventListener,
      options?: StopListenerOptions,
    ): Unsubscribe {
      return _subscribe(signals, listener, {
        os,
        add: (signal, handler) => tally.add(signal, handler),
        remove: (signal, handler) => tally.remove(signal, handler),
        writeStderr,
        holdLimitMs: options?.holdLimitMs,
        loadConsole: async () => (await import("./windows_console.ts")).installConsoleHandler,
      });
    },
    onNaturalEnd(listener: () => boolean): Unsubscribe {
      // Work scheduled here runs only if the event is cancelled; it then
      // fires again when the loop empties once more. Once the library took
      // the end, that second time is stopped here, so the program's own
      // `beforeunload` listeners added after the library's run once, as
      // without it.
      let taken = false;
      let listening = true;
      // Typed by what it uses: with @types/node beside Deno's types, the
      // global `Event` is Node's and no overload takes a listener of it.
      const handler = (
        event: { preventDefault(): void; stopImmediatePropagation(): void },
      ): void => {
        if (taken) {
          globalThis.removeEventListener("beforeunload", handler);
          return event.stopImmediatePropagation();
        }
        if (!listening || !listener()) return;
        taken = true;
        event.preventDefault();
      };
      globalThis.addEventListener("beforeunload", handler);
      return () => {
        listening = false;
        if (!taken) globalThis.removeEventListener("beforeunload", handler);
      };
    },
    onUncaught(listener: (error: unknown, kind: UncaughtKind) => boolean): Unsubscribe {
      return _onUncaught(listener);
    },
    onExit(listener: () => void): Unsubscribe {
      globalThis.addEventListener("unload", listener);
      return () => globalThis.removeEventListener("unload", listener);
    },
    exitCode: () => Deno.exitCode === 0 ? undefined : Deno.exitCode,
    setExitCode(code: number): void {
      Deno.exitCode = code;
    },
    exit(code: number): void {
      Deno.exit(code);
    },
    dieBy(signal: StopSignal, options?: DieOptions): void {
      const status = _statusFor(signal, Deno.build.os);
      // Windows turns a kill into TerminateProcess(h, 1), and as PID 1 the
      // kernel ignores a signal left to its default action: exit 128 + n.
      if (os === "windows" || Deno.pid === 1) Deno.exit(status);
      const withinMs = options?.withinMs ?? 0;
      if (_foreignListeners(tally, signal) > 0) {
        // Another listener would swallow a re-raise: it may end the process
        // itself within the deadline; else 128 + n (see _process_exit.ts).
        if (!(withinMs > 0)) Deno.exit(status);
        options?.say?.(_leaveNotice(signal, status, withinMs));
        Deno.exitCode = status;
        Deno.unrefTimer(setTimeout(() => Deno.exit(status), withinMs));
        return;
      }
      // Death by a signal dispatches no `unload`; a program's final flush is one.
      globalThis.dispatchEvent(new Event("unload"));
      Deno.kill(Deno.pid, signal);
      setTimeout(() => Deno.exit(status), _RERAISE_FALLBACK_MS);
    },
    printUncaught(error: unknown): void {
      console.error(`error: Uncaught ${Deno.inspect(error)}`);
    },
    writeStderr,
    stderrIsTerminal: () => Deno.stderr.isTerminal(),
  };
}

/**
 * How long after its first use the library reads `Deno.kill`. Deno resolves
 * the wait 15-20 ms late; at 10 ms the read (5-13 ms) often coincided with a
 * signal sent 25 ms after start (bench/all.sh) and delayed the abort by 8 ms.
 * A command that ends within this never pays the read (nor its 2.8 MiB).
 */
const _KILL_AFTER_MS = 250;

/**
 * Reads `Deno.kill` while the program is idle: its first read loads Deno's
 * process code (5-13 ms on this machine, the same for `Deno.Command`), which
 * the death by a signal would pay otherwise. Not a timer (see
 * `_setLazyTimer`): a wait's timeout touches none and never keeps the
 * process alive.
 */
function _readKillLater(): void {
  const atomics = Atomics as {
    waitAsync?: (
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ) => { async: boolean; value: unknown };
  };
  if (typeof atomics.waitAsync !== "function") return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const wait = atomics.waitAsync(cell, 0, 0, _KILL_AFTER_MS);
  if (wait.async) void (wait.value as Promise<string>).then(() => void Deno.kill);
}

// Deno cannot say how many listeners a signal has, and the library must know:
// a listener of the program's own (or another library's) would swallow a
// re-raised signal and run twice. So `Deno.addSignalListener` is wrapped,
// once per process, to count the listeners added through it from then on
// (Node's `process.on` in Deno goes through it too). The library adds its own
// through the original, so they are never counted.

// Typed with `string`: this file's declarations are reached from the public
// runtime/deno entry, and a `Deno` type in them breaks a Node program's type check.
type _SignalFn = (signal: string, handler: () => void) => void;

/** The original add/remove, and the listeners added through the wrapped ones. */
export interface _Tally {
  /** `Deno.addSignalListener` as it was: the library's own listeners are not counted. */
  readonly add: (signal: string, handler: () => void) => void;
  /** `Deno.removeSignalListener` as it was. */
  readonly remove: (signal: string, handler: () => void) => void;
  /** The listeners of others, by signal. */
  readonly listeners: Map<string, Set<() => void>>;
}

const _KEY = Symbol.for("@graceful/shutdown/deno-signal-tally");

/** The process's tally, made (and `Deno.addSignalListener` wrapped) on first call. */
export function _signalTally(): _Tally {
  const home = globalThis as { [_KEY]?: _Tally };
  const existing = home[_KEY];
  if (existing !== undefined) return existing;
  const add = Deno.addSignalListener.bind(Deno) as _SignalFn;
  const remove = Deno.removeSignalListener.bind(Deno) as _SignalFn;
  const listeners = new Map<string, Set<() => void>>();
  const tally: _Tally = { add, remove, listeners };
  try {
    Deno.addSignalListener = (signal, handler) => {
      add(signal, handler);
      let set = listeners.get(signal);
      if (set === undefined) listeners.set(signal, set = new Set());
      set.add(handler);
    };
    Deno.removeSignalListener = (signal, handler) => {
      remove(signal, handler);
      listeners.get(signal)?.delete(handler);
    };
  } catch {
    // A frozen `Deno`: nothing is counted; a re-raise falls back to 128 + n.
  }
  home[_KEY] = tally;
  return tally;
}

/** How many listeners other than the library's the signal has, as far as is known. */
function _foreignListeners(tally: _Tally, signal: string): number {
  return tally.listeners.get(signal)?.size ?? 0;
}

// Deno's uncaught errors: the `error` and `unhandledrejection` events. The
// program's own handlers must win, as on Node and Bun, but Deno calls the
// library's listener first when it was added first, and hands the rejection
// to `process.on("unhandledRejection")` (node:process) only after the event,
// when nothing cancelled it.

type _UncaughtListener = (error: unknown, kind: UncaughtKind) => boolean;

interface _NodeProcessLike {
  listenerCount?(event: string): number;
}

/** Listens for uncaught errors the program does not handle itself. */
function _onUncaught(listener: _UncaughtListener): Unsubscribe {
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

// Deno's timers are loaded on first touch: reading `globalThis.setTimeout`
// loads its Node-compatible timer module, 5–7 ms and ~3.7 MiB on Deno 2.9,
// more than the rest of the library costs. Most of the library's timers are
// deadlines that are cleared before they could fire (a hook that returns at
// once, a program that ends by itself), so a timer here is armed only once
// the microtasks queued behind it have run: one cleared before that never
// touches Deno's timers. Nothing is lost: no macrotask can run before the
// timer is armed, and its delay counts from the call.

/** A timer armed a few promise turns late, or never if cleared first. */
export interface _LazyTimer {
  /** The real timer, once armed. */
  id: ReturnType<typeof setTimeout> | undefined;
  /** Cleared before or after it was armed. */
  cleared: boolean;
}

/**
 * How many promise turns pass before the real timer is armed: enough for a
 * synchronous hook or one that awaits only settled promises to finish and
 * clear its deadline first.
 */
const _TURNS = 16;

/** Calls `callback` after `ms`. */
export function _setLazyTimer(callback: () => void, ms: number): _LazyTimer {
  const start = performance.now();
  return _afterTurns(function arm(this: _LazyTimer) {
    this.id = setTimeout(callback, Math.max(0, ms - (performance.now() - start)));
  });
}

/**
 * Calls `callback` once the microtasks queued behind it have run, unless
 * cleared first; it touches no timer and never keeps the process alive.
 */
export function _afterTurns(callback: (this: _LazyTimer) => void): _LazyTimer {
  const timer: _LazyTimer = { id: undefined, cleared: false };
  void _turnsLater(_TURNS).then(() => {
    if (!timer.cleared) callback.call(timer);
  });
  return timer;
}

/** Clears a timer made by `_setLazyTimer`; anything else is ignored. */
export function _clearLazyTimer(handle: unknown): void {
  const timer = handle as _LazyTimer | undefined;
  if (typeof timer !== "object" || timer === null || !("cleared" in timer)) return;
  timer.cleared = true;
  if (timer.id !== undefined) clearTimeout(timer.id);
}
