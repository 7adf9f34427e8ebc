// The adapter for runtimes that expose Node's `process` object: Node itself
// and Bun, and how such a process ends. The two differ only in name and, on
// Windows, in how console events reach them, so they share this file.

import type {
  DieOptions,
  OsFamily,
  ProcessEnd,
  RuntimeAdapter,
  StopEventListener,
  StopListenerOptions,
  StopSignal,
  UncaughtKind,
  Unsubscribe,
} from "../core/runtime_adapter.ts";
import {
  _LIBUV_WINDOWS_SIGNALS,
  _osPolicy,
  _POSIX_SIGNALS,
  _statusFor,
} from "../core/_platform.ts";
import { _leaveNotice } from "../core/_report_and_exit.ts";
import { type _ConsoleInstaller, _RERAISE_FALLBACK_MS, _subscribe } from "./_shared.ts";
import type { _NodeProcess, _StdStream } from "./_node_process.ts";

/** The `process` global, or undefined outside Node and Bun. */
export function _nodeProcess(): _NodeProcess | undefined {
  return (globalThis as unknown as { process?: _NodeProcess }).process;
}

/**
 * Makes the adapter for the running Node process.
 *
 * @example
 * ```ts
 * import { nodeRuntime } from "@graceful/shutdown/runtime/node";
 *
 * if ("process" in globalThis) console.log(nodeRuntime().signals);
 * ```
 * @throws {Error} When there is no `process` global.
 */
export function nodeRuntime(): RuntimeAdapter {
  const proc = _nodeProcess();
  if (proc === undefined) throw new Error("nodeRuntime() needs Node's `process` global");
  return _processAdapter("node", proc);
}

/**
 * Makes the adapter for the running Bun process.
 *
 * @example
 * ```ts
 * import { bunRuntime } from "@graceful/shutdown/runtime/bun";
 *
 * if ("Bun" in globalThis) console.log(bunRuntime().name); // "bun"
 * ```
 * @throws {Error} When not running on Bun.
 */
export function bunRuntime(): RuntimeAdapter {
  const proc = _nodeProcess();
  if (!("Bun" in globalThis) || proc === undefined) {
    throw new Error("bunRuntime() needs the Bun runtime");
  }
  return _processAdapter("bun", proc, _loadBunConsole);
}

/**
 * Loads the console handler synchronously (Bun's `require` loads ES modules),
 * so console events are caught from the moment the controller listens: a
 * handler installed a moment later missed a console close sent at once.
 */
function _loadBunConsole(): _ConsoleInstaller {
  // The same extension as this file: `.ts` from source, `.js` once built.
  const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
  const meta = import.meta as unknown as {
    require(id: string): typeof import("./bun/windows_console.ts");
  };
  return meta.require(`./bun/windows_console${extension}`).installConsoleHandler;
}

/**
 * Makes an adapter over a `process` object; `loadConsole` loads what catches
 * console events on Windows (Bun has FFI for them, Node does not), and is
 * called there only.
 */
export function _processAdapter(
  name: string,
  proc: _NodeProcess,
  loadConsole?: () => _ConsoleInstaller | Promise<_ConsoleInstaller>,
): RuntimeAdapter {
  const os: OsFamily = proc.platform === "win32" ? "windows" : "posix";
  const writeStderr = (text: string): void => void proc.stderr.write(text);
  /** Whether stderr's write errors are the library's to swallow (once it printed an uncaught error). */
  let stderrHeld = false;
  const exitState: _ExitState = { emitted: false };
  return {
    name,
    os,
    policy: _osPolicy(os),
    processWide: true,
    signals: os === "windows" ? _LIBUV_WINDOWS_SIGNALS : _POSIX_SIGNALS,
    now: _monotonicMs(proc),
    setTimer: _setTimer,
    clearTimer: _clearTimer,
    whenIdle(callback: () => void): unknown {
      const timer = setTimeout(() => {
        // The exit's flush asks which streams exist: load what answers now.
        if (name === "bun") _madeStreams(proc, true);
        callback();
      }, _IDLE_AFTER_MS) as { unref?: () => void };
      timer.unref?.();
      return timer;
    },
    addStopListener(
      signals: readonly StopSignal[],
      listener: StopEventListener,
      options?: StopListenerOptions,
    ): Unsubscribe {
      return _subscribe(signals, listener, {
        os,
        add: (signal, handler) => proc.on(signal, handler),
        remove: (signal, handler) => proc.off(signal, handler),
        writeStderr,
        holdLimitMs: options?.holdLimitMs,
        loadConsole,
      });
    },
    onNaturalEnd(listener: () => boolean): Unsubscribe {
      // Work scheduled in `beforeExit` keeps the process going; it fires again
      // after. The listener runs a task later because Bun reports unhandled
      // rejections only after `beforeExit`: they must win over "the end". An
      // immediate (`_setTimer(…, 0)`) is late enough: Bun reports them before it.
      let over = false;
      const handler = (): void => {
        if (over) return;
        _setTimer(() => {
          over = !listener();
          // The library took the end: its hooks ran, so when the loop runs dry
          // again the process exits, and the program's own `beforeExit`
          // listeners run once, as without the library.
          if (!over) proc.prependOnceListener?.("beforeExit", () => proc.exit());
          over = true;
        }, 0);
      };
      proc.on("beforeExit", handler);
      return () => proc.off("beforeExit", handler);
    },
    onUncaught(listener: (error: unknown, kind: UncaughtKind) => boolean): Unsubscribe {
      // A listener of the program's own means the program handles its errors:
      // then the library stays out of the way.
      const onException = (error: unknown): void => {
        if (proc.listenerCount("uncaughtException") > 1) return;
        if (!listener(error, "exception")) _crash(proc, error);
      };
      const onRejection = (reason: unknown): void => {
        if (proc.listenerCount("unhandledRejection") > 1) return;
        if (!listener(reason, "rejection")) _crash(proc, reason);
      };
      proc.on("uncaughtException", onException);
      proc.on("unhandledRejection", onRejection);
      return () => {
        proc.off("uncaughtException", onException);
        proc.off("unhandledRejection", onRejection);
      };
    },
    onExit(listener: () => void): Unsubscribe {
      proc.on("exit", listener);
      return () => proc.off("exit", listener);
    },
    exitCode(): number | undefined {
      const code = proc.exitCode;
      if (code === undefined || code === null || code === "") return undefined;
      return Number(code);
    },
    setExitCode(code: number): void {
      proc.exitCode = code;
    },
    exit(code: number): void {
      _exitNow(proc, exitState, code);
    },
    dieBy(signal: StopSignal, options?: DieOptions): void {
      _dieBy(proc, os, signal, options ?? {}, exitState);
    },
    flush(end: ProcessEnd, withinMs: number): Promise<void> {
      return _flush(proc, name === "bun", end, withinMs, exitState);
    },
    printUncaught(error: unknown): void {
      // A stderr whose reader is gone fails the print, and the failure is one
      // more uncaught error, printed again: a loop, one a turn, that starved
      // the shutdown for good. What the library prints, it prints once.
      if (!stderrHeld) {
        stderrHeld = true;
        proc.stderr.on?.("error", () => {});
      }
      console.error(error);
    },
    writeStderr,
    stderrIsTerminal(): boolean {
      return proc.stderr.isTTY === true;
    },
  };
}

/**
 * A monotonic clock in ms. `process.hrtime` where there is one: Node loads
 * `perf_hooks` (a dozen modules) the first time `performance` is touched,
 * which cost ~1 ms between a signal and the abort.
 */
function _monotonicMs(proc: _NodeProcess): () => number {
  const hrtime = proc.hrtime;
  if (typeof hrtime !== "function") return () => performance.now();
  return () => {
    const [seconds, nanoseconds] = hrtime();
    return seconds * 1e3 + nanoseconds / 1e6;
  };
}

type _Immediate = { immediate: unknown };
const _g = globalThis as unknown as {
  setImmediate?: (callback: () => void) => unknown;
  clearImmediate?: (handle: unknown) => void;
};

/**
 * A timer; a 0 ms one runs as an immediate: `setTimeout(0)` waits at least
 * 1 ms on Node and Bun, and the shutdown takes that hop twice.
 */
function _setTimer(callback: () => void, ms: number): unknown {
  if (ms <= 0 && _g.setImmediate !== undefined) return { immediate: _g.setImmediate(callback) };
  return setTimeout(callback, ms);
}

function _clearTimer(handle: unknown): void {
  if (handle !== null && typeof handle === "object" && "immediate" in handle) {
    _g.clearImmediate?.((handle as _Immediate).immediate);
  } else {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

/**
 * How long the process must have been idle for the rehearsal (see
 * `whenIdle`): a program that ends by itself sooner never pays for it (on
 * Bun it cost ~1.5 ms of a 7 ms program), and one that lives finds the path
 * compiled long before a signal is likely.
 */
const _IDLE_AFTER_MS = 10;

/** What the runtime would have done with an uncaught error: print it, exit 1. */
function _crash(proc: _NodeProcess, error: unknown): void {
  console.error(error);
  proc.exit(1);
}

// How the process ends once the shutdown is over: output flushed first, the
// program's `exit` listeners run once, and the signal re-raised, or left to
// another listener of the signal within the deadline.

/**
 * Whether the program's `exit` listeners were run already: before the final
 * flush, so that what they write (a logger's last line) is flushed too; Bun
 * ends the streams there and would drop it.
 */
interface _ExitState {
  emitted: boolean;
}

/** Runs the program's `exit` listeners once, with `status`; what they throw is printed. */
function _emitExit(proc: _NodeProcess, state: _ExitState, status: number): void {
  if (state.emitted) return;
  state.emitted = true;
  try {
    proc.emit?.("exit", status);
  } catch (error) {
    console.error(error);
  }
}

/** Exits with `code`; `exit` listeners that already ran do not run again. */
function _exitNow(proc: _NodeProcess, state: _ExitState, code: number): void {
  if (state.emitted && proc.reallyExit !== undefined) {
    proc.exitCode = code;
    return proc.reallyExit(code);
  }
  proc.exit(code);
}

/**
 * Ends the process by `signal`. Windows cannot re-raise, and as PID 1 the
 * kernel ignores a signal left to its default action: both exit `128 + n`.
 * Another listener of the signal would swallow a re-raise: it may end the
 * process itself within `withinMs` (its own status), else `128 + n` then.
 */
function _dieBy(
  proc: _NodeProcess,
  os: OsFamily,
  signal: StopSignal,
  options: DieOptions,
  state: _ExitState,
): void {
  const status = _statusFor(signal, proc.platform);
  if (os === "windows" || proc.pid === 1) return _exitNow(proc, state, status);
  if (proc.listenerCount(signal) > 0) {
    const withinMs = options.withinMs ?? 0;
    if (withinMs > 0) options.say?.(_leaveNotice(signal, status, withinMs));
    return _leaveTo(proc, status, withinMs);
  }
  // Death by a signal runs no `exit` listener; a program's final flush is one.
  _emitExit(proc, state, status);
  proc.kill(proc.pid, signal);
  const exit = proc.reallyExit?.bind(proc) ?? proc.exit.bind(proc);
  setTimeout(() => exit(status), _RERAISE_FALLBACK_MS);
}

/**
 * Leaves the end to another listener: the status becomes `128 + n` unless it
 * exits itself, and an unref'd timer ends the process at the deadline, so two
 * libraries that each leave it to the other never keep it running forever.
 */
function _leaveTo(proc: _NodeProcess, status: number, withinMs: number): void {
  if (!(withinMs > 0)) return void proc.exit(status);
  proc.exitCode = status;
  const timer = setTimeout(() => proc.exit(status), withinMs) as { unref?: () => void };
  timer.unref?.();
}

/**
 * Resolves once standard output and error hold nothing more, or after
 * `withinMs`. Only streams the program made are touched (making one costs
 * 8-40 ms on Bun; one never made holds nothing, console.log writes
 * synchronously). Node: `write("", cb)` calls back once all is written. Bun:
 * its `write` callback fires early, `end(cb)` waits; so it ends the streams,
 * and only when the process really ends now (not when another listener goes on).
 */
function _flush(
  proc: _NodeProcess,
  bun: boolean,
  end: ProcessEnd,
  withinMs: number,
  state: _ExitState,
): Promise<void> {
  if (!(withinMs > 0)) return Promise.resolve();
  if (end.signal !== undefined && proc.listenerCount(end.signal) > 0) return Promise.resolve();
  // The process ends right after: its `exit` listeners run now, so what they
  // write is flushed with the rest (a code's exit then skips them).
  if (end.signal === undefined) proc.exitCode = end.code;
  _emitExit(
    proc,
    state,
    end.signal === undefined ? end.code ?? 0 : _statusFor(end.signal, proc.platform),
  );
  const flushed = _madeStreams(proc, bun).filter((s) => s.isTTY !== true).map((stream) =>
    new Promise<void>((resolve) => {
      try {
        if (bun && stream.end !== undefined) stream.end(() => resolve());
        else stream.write("", () => resolve());
      } catch {
        resolve();
      }
    })
  );
  if (flushed.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, withinMs);
    Promise.all(flushed).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

type _Describe = (value: unknown) => string;

/** A property among those `describe()` lists: "{a:64, b:65}". */
const _HELD = { stdout: /[{ ]stdout:\d/, stderr: /[{ ]stderr:\d/ };

/** Bun's `describe()` from `bun:jsc`, loaded on first use; null where there is none. */
let _describe: _Describe | null | undefined;

/**
 * Standard output and error, as far as the program made them. Node: only
 * when a write is pending, so an unused `stdout` is never created. Bun makes
 * each on its first read, and any read (a property descriptor too) makes it;
 * JSC's `describe()` lists the properties the object holds so far without
 * making them: "…{…, nextTick:70, stdout:71}…". Both when it cannot tell.
 */
function _madeStreams(proc: _NodeProcess, bun: boolean): _StdStream[] {
  let names: readonly ("stdout" | "stderr")[] = ["stdout", "stderr"];
  if (bun) {
    if (_describe === undefined) {
      try {
        const meta = import.meta as unknown as { require(id: string): { describe?: _Describe } };
        _describe = meta.require("bun:jsc").describe ?? null;
      } catch {
        _describe = null;
      }
    }
    const shape = _describe?.(proc) ?? "";
    if (shape.includes("Structure")) {
      names = names.filter((name) => _HELD[name].test(shape));
    }
  } else {
    const pending = proc.getActiveResourcesInfo?.() ?? [];
    if (!pending.some((kind) => kind.endsWith("WriteWrap"))) return [];
  }
  return names.map((name) => proc[name]).filter((s): s is _StdStream => s !== undefined);
}
