// The adapter for runtimes that expose Node's `process` object: Node itself
// and Bun. The two differ only in name and, on Windows, in how console events
// reach them, so they share this file.

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
import { _LIBUV_WINDOWS_SIGNALS, _POSIX_SIGNALS } from "../core/_platform.ts";
import { _osPolicy } from "../core/_platform.ts";
import { type _ConsoleInstaller, _subscribe } from "./_shared.ts";
import { _dieBy, _exitNow, type _ExitState, _flush, type _StdStream } from "./_process_exit.ts";

/** The part of Node's `process` the adapter uses; declared here so no @types/node is needed. */
export interface _NodeProcess {
  readonly platform: string;
  readonly pid: number;
  exitCode?: number | string | null;
  readonly stderr: _StdStream;
  /** Read only at exit, and on Node only when a write is pending: making it costs. */
  readonly stdout?: _StdStream;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  prependOnceListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  emit?(event: string, ...args: unknown[]): unknown;
  reallyExit?(code?: number): void;
  getActiveResourcesInfo?(): string[];
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
  exit(code?: number): never;
  kill(pid: number, signal: string): unknown;
  /** Seconds and nanoseconds of a monotonic clock (absent in some stubs). */
  hrtime?: () => [number, number];
}

/** The `process` global, or undefined outside Node and Bun. */
export function _nodeProcess(): _NodeProcess | undefined {
  return (globalThis as unknown as { process?: _NodeProcess }).process;
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
      if (name === "bun") _makeStdStreamsLater(proc);
      const timer = setTimeout(callback, _IDLE_AFTER_MS) as { unref?: () => void };
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

/**
 * Bun makes process.stdout and stderr on first touch (12-30 ms), and the
 * exit's flush must touch them: a program that lives past this delay pays
 * that while idle rather than after the signal; a shorter one (a command
 * that ends by itself) never pays it.
 */
const _STD_STREAMS_AFTER_MS = 250;

function _makeStdStreamsLater(proc: _NodeProcess): void {
  const timer = setTimeout(() => void [proc.stdout, proc.stderr], _STD_STREAMS_AFTER_MS) as {
    unref?: () => void;
  };
  timer.unref?.();
}

/** What the runtime would have done with an uncaught error: print it, exit 1. */
function _crash(proc: _NodeProcess, error: unknown): void {
  console.error(error);
  proc.exit(1);
}
