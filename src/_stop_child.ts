// Stops one adopted child at shutdown: tell it, wait, kill it. Every kill
// goes out synchronously (at the step's start, and in the abort listener),
// because on `exit()` only the synchronous part of a step runs and on a
// forced end the process exits right after the step is cut.

import type { ShutdownCause, ShutdownHookContext } from "./types.ts";
import type { _ChildHandle } from "./_child_handle.ts";
import { _settlesWithin } from "./_settles_within.ts";
import type { AdoptSignal } from "./child_process_like.ts";

/** How to stop one child. */
export interface _StopSettings {
  /** The step's name, for the error when the child had to be killed. */
  readonly name: string;
  /** The signal that asks it to stop. */
  readonly signal: AdoptSignal;
  /** How long it may take from the step's start before SIGKILL; undefined: until the deadline. */
  readonly timeoutMs: number | undefined;
  /** The controller's budget, which bounds the wait for a terminal's signal. */
  readonly budgetMs: number;
  /** True when the child is outside the parent's process group. */
  readonly detached: boolean;
}

/**
 * True when the shutdown's cause is a key a terminal sends to its whole
 * foreground process group (Ctrl-C, Ctrl-\, and Ctrl-C / Ctrl-Break on a
 * Windows console), so a child in that group got it at the same moment.
 */
export function _reachedGroup(cause: ShutdownCause): boolean {
  if (cause.kind === "signal") return cause.signal === "SIGINT" || cause.signal === "SIGQUIT";
  return cause.kind === "console" && (cause.event === "CTRL_C" || cause.event === "CTRL_BREAK");
}

/** Resolves true once the child has exited, false when `ms` pass or `abort` aborts first. */
function _waitExit(handle: _ChildHandle, ms: number, abort: AbortSignal): Promise<boolean> {
  if (handle.exited()) return Promise.resolve(true);
  if (abort.aborted || ms <= 0) return Promise.resolve(false);
  return _settlesWithin(handle.gone, ms, abort);
}

/**
 * The shutdown step for one child: resolves once it has exited; rejects
 * (after it has exited) when it had to be killed at `timeoutMs`.
 */
export async function _stopChild(
  handle: _ChildHandle,
  settings: _StopSettings,
  context: ShutdownHookContext,
): Promise<void> {
  if (handle.exited()) return;
  const { signal: abort, cause } = context;
  if (abort.aborted) {
    // The process is exiting (`exit()`) or already forced: no time to ask.
    handle.send("SIGKILL");
    return;
  }
  const kill = (): void => handle.send("SIGKILL");
  abort.addEventListener("abort", kill, { once: true });
  try {
    const startMs = Date.now();
    const windowMs = settings.timeoutMs ?? Infinity;
    if (!settings.detached && _reachedGroup(cause)) {
      // The terminal already told the child: let it stop on its own for half
      // the window before asking again (the cause may have been a plain
      // `kill -INT <parent>`, which the child never saw).
      const graceMs = Math.min(windowMs, settings.budgetMs) / 2;
      if (await _waitExit(handle, graceMs, abort)) return;
      if (abort.aborted) return;
    }
    handle.send(settings.signal);
    if (await _waitExit(handle, windowMs - (Date.now() - startMs), abort)) return;
    if (abort.aborted) return;
    handle.send("SIGKILL");
    await handle.gone;
    throw new Error(
      `${settings.name} did not exit within ${settings.timeoutMs} ms of ${settings.signal}: ` +
        "killed it with SIGKILL",
    );
  } finally {
    abort.removeEventListener("abort", kill);
  }
}
