// How a Node or Bun process ends once the shutdown is over: output flushed
// first, the program's `exit` listeners run once, and the signal re-raised,
// or left to another listener of the signal within the deadline.

import type { DieOptions, OsFamily, ProcessEnd, StopSignal } from "../core/runtime_adapter.ts";
import { _statusFor } from "../core/_platform.ts";
import { _leaveNotice } from "../core/_report_and_exit.ts";
import { _RERAISE_FALLBACK_MS } from "./_shared.ts";

/** A writable standard stream, as far as flushing goes. */
export interface _StdStream {
  write(text: string, callback?: () => void): unknown;
  end?(callback?: () => void): unknown;
  readonly isTTY?: boolean;
}

/** The part of `process` the exit path uses (beyond what the adapter declares). */
export interface _ExitingProcess {
  readonly pid: number;
  readonly platform?: string;
  exitCode?: number | string | null;
  readonly stdout?: _StdStream;
  readonly stderr: _StdStream;
  listenerCount(event: string): number;
  exit(code?: number): never;
  kill(pid: number, signal: string): unknown;
  emit?(event: string, ...args: unknown[]): unknown;
  /** Ends the process without emitting `exit` again (Node and Bun have it, undocumented). */
  reallyExit?(code?: number): void;
  /** Node: the kinds of pending requests; a pending write shows as a `*WriteWrap`. */
  getActiveResourcesInfo?(): string[];
}

/**
 * Whether the program's `exit` listeners were run already: before the final
 * flush, so that what they write (a logger's last line) is flushed too; Bun
 * ends the streams there and would drop it.
 */
export interface _ExitState {
  emitted: boolean;
}

/** Runs the program's `exit` listeners once, with `status`; what they throw is printed. */
function _emitExit(proc: _ExitingProcess, state: _ExitState, status: number): void {
  if (state.emitted) return;
  state.emitted = true;
  try {
    proc.emit?.("exit", status);
  } catch (error) {
    console.error(error);
  }
}

/** Exits with `code`; `exit` listeners that already ran do not run again. */
export function _exitNow(proc: _ExitingProcess, state: _ExitState, code: number): void {
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
export function _dieBy(
  proc: _ExitingProcess,
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
function _leaveTo(proc: _ExitingProcess, status: number, withinMs: number): void {
  if (!(withinMs > 0)) return void proc.exit(status);
  proc.exitCode = status;
  const timer = setTimeout(() => proc.exit(status), withinMs) as { unref?: () => void };
  timer.unref?.();
}

/**
 * Resolves once standard output and error hold nothing more, or after
 * `withinMs`. Node: only when a write is pending (so an unused `stdout` is
 * never created), `write("", cb)` calls back once all is written. Bun: its
 * `write` callback fires early, `end(cb)` waits; so it ends the streams, and
 * only when the process really ends now (not when another listener goes on).
 */
export function _flush(
  proc: _ExitingProcess,
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
  let streams: _StdStream[];
  if (bun) {
    streams = [proc.stdout, proc.stderr].filter((s): s is _StdStream => s !== undefined);
  } else {
    const pending = proc.getActiveResourcesInfo?.() ?? [];
    if (!pending.some((kind) => kind.endsWith("WriteWrap"))) return Promise.resolve();
    streams = [proc.stdout, proc.stderr].filter((s): s is _StdStream => s !== undefined);
  }
  const flushed = streams.filter((s) => s.isTTY !== true).map((stream) =>
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
