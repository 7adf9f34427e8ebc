// Stops one adopted child at shutdown: tell it, wait, kill it. The stop runs
// on its own (children adjacent on the stack are stopped together, before
// their steps start); its step only waits for it. Every kill goes out
// synchronously (at the start, and in the abort listener), because on
// `exit()` only the synchronous part of a step runs and on a forced end the
// process exits right after the step is cut.

import type { ShutdownCause } from "../core/types.ts";
import type { _ChildHandle } from "./_child_handle.ts";
import { _settlesWithin } from "../core/_settles_within.ts";
import type { AdoptSignal } from "./child_process_like.ts";
import { _isInit, _killGroup } from "../runtime/_process_group.ts";

/** How to stop one child. */
export interface _StopSettings {
  /** The step's name, for the error when the child had to be killed. */
  readonly name: string;
  /** The signal that asks it to stop. */
  readonly signal: AdoptSignal;
  /** How long it may take from the start of its stop before SIGKILL; undefined: until the deadline. */
  readonly timeoutMs: number | undefined;
  /** The controller's budget, which bounds the wait for a terminal's signal. */
  readonly budgetMs: number;
  /** True when the child is outside the parent's process group. */
  readonly detached: boolean;
}

/** Whether this process is a container's init, which is always signalled alone. */
let _init: boolean | undefined;

/** Resolves true once the child has exited, false when `ms` pass or `abort` aborts first. */
function _waitExit(handle: _ChildHandle, ms: number, abort: AbortSignal): Promise<boolean> {
  if (handle.exited()) return Promise.resolve(true);
  if (abort.aborted || ms <= 0) return Promise.resolve(false);
  return _settlesWithin(handle.gone, ms, abort);
}

/** The longest a child sharing the parent's group is left to stop on its own. */
const _GRACE_CAP_MS = 5_000;

/**
 * True when the cause of the shutdown may have reached the child too: a
 * signal, and the child shares the parent's process group, which a terminal
 * (Ctrl-C, Ctrl-\\, a hang-up), systemd (`KillMode=control-group`) or
 * `kill -- -<pgid>` signals as a whole; or Ctrl-C / Ctrl-Break on a Windows
 * console, which reach every process on it. A signal carries no sender, so a
 * group-wide one cannot be told from one sent to the parent alone, except in
 * PID 1: container runtimes signal PID 1 alone.
 */
export function _reachedGroup(cause: ShutdownCause, detached: boolean): boolean {
  if (detached) return false;
  if (cause.kind === "console") return cause.event === "CTRL_C" || cause.event === "CTRL_BREAK";
  return cause.kind === "signal" && !(_init ??= _isInit());
}

/**
 * Stops one child: resolves once it has exited; rejects (after it has
 * exited) when it had to be killed at `timeoutMs`. `abort` (the shutdown is
 * forced, or its step was cut) kills it at once.
 */
export async function _stopChild(
  handle: _ChildHandle,
  settings: _StopSettings,
  cause: ShutdownCause,
  abort: AbortSignal,
): Promise<void> {
  try {
    await _stopProcess(handle, settings, cause, abort);
  } finally {
    // A child with a process group of its own may leave processes in it
    // (`sh -c "a & b"` stopped by its SIGTERM): none outlives the parent.
    if (settings.detached && handle.pid !== undefined && handle.exited()) {
      _killGroup(handle.pid);
    }
  }
}

async function _stopProcess(
  handle: _ChildHandle,
  settings: _StopSettings,
  cause: ShutdownCause,
  abort: AbortSignal,
): Promise<void> {
  if (handle.exited()) return;
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
    if (_reachedGroup(cause, settings.detached)) {
      // The child probably got the signal with us and is stopping: let it
      // stop on its own for half its window (at most 5 s) before asking, so
      // it is not hit twice; the signal may have been sent to the parent
      // alone (`kill <parent>`), in which case the child is asked then.
      const graceMs = Math.min(windowMs, settings.budgetMs, 2 * _GRACE_CAP_MS) / 2;
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
