// One view of a child process, whichever runtime made it: has it exited,
// wait for its exit, send it a signal. Duck typing only: the library reaches
// the child through the object the program handed in, never through globals.

import type {
  AdoptableChild,
  AdoptSignal,
  BunSubprocessLike,
  DenoChildProcessLike,
  NodeChildProcessLike,
} from "./child_process_like.ts";
import type { _ChildKind } from "./adopt.ts";
import { _killGroup } from "../runtime/_process_group.ts";

/** A child process seen the same way on every runtime. */
export interface _ChildHandle {
  /** The process id, if it ever started. */
  readonly pid: number | undefined;
  /** True once the child is known to have exited. */
  exited(): boolean;
  /** Resolves once the child has exited. */
  readonly gone: Promise<void>;
  /**
   * Sends `signal`; never throws, and sends nothing once the child has exited.
   * SIGKILL also goes to the process group the child leads (adopted `detached`).
   */
  send(signal: AdoptSignal): void;
  /** Removes the listeners the handle added to the child. */
  release(): void;
}

/**
 * Wraps a child of a known kind, starting to watch for its exit; `group`:
 * it leads a process group of its own, which SIGKILL reaches too.
 */
export function _childHandle(
  child: AdoptableChild,
  kind: _ChildKind,
  group: boolean,
): _ChildHandle {
  if (kind === "node") return _nodeHandle(child as NodeChildProcessLike, group);
  if (kind === "bun") return _bunHandle(child as BunSubprocessLike, group);
  return _denoHandle(child as DenoChildProcessLike, group);
}

/** The exit bookkeeping every kind shares. */
function _exitLatch(): { gone: Promise<void>; mark: () => void; exited: () => boolean } {
  let exited = false;
  let resolve!: () => void;
  const gone = new Promise<void>((r) => resolve = r);
  return {
    gone,
    mark: () => {
      exited = true;
      resolve();
    },
    exited: () => exited,
  };
}

function _nodeHandle(child: NodeChildProcessLike, group: boolean): _ChildHandle {
  const latch = _exitLatch();
  const onExit = (): void => {
    child.removeListener("exit", onExit);
    latch.mark();
  };
  // No pid: it never started (spawn failed). An exit code or signal: it ended,
  // except on Deno, whose node:child_process sets signalCode when kill() is
  // called: a child the program signalled itself (SIGHUP for a reload) reads
  // as ended, so ask the process itself (signal 0: is it there?).
  if (
    child.pid === undefined || child.exitCode !== null ||
    (child.signalCode !== null && !_nodeAlive(child))
  ) {
    latch.mark();
  } else {
    child.on("exit", onExit);
  }
  return {
    pid: child.pid,
    exited: latch.exited,
    gone: latch.gone,
    send(signal: AdoptSignal): void {
      if (latch.exited()) return;
      if (signal === "SIGKILL" && group && child.pid !== undefined) _killGroup(child.pid);
      // Deno's node:child_process ignores kill() once `killed` is set (by the
      // first call), so a SIGKILL after SIGTERM would never go out: clear it.
      const killed = child.killed;
      child.killed = false;
      try {
        if (!child.kill(signal)) child.killed = killed;
      } catch {
        child.killed = killed; // gone meanwhile: its exit event is on its way
      }
    },
    release: () => void child.removeListener("exit", onExit),
  };
}

function _bunHandle(child: BunSubprocessLike, group: boolean): _ChildHandle {
  const exitedAlready = child.exitCode !== null || child.signalCode !== null;
  return _promiseHandle(child, child.exited, exitedAlready, group);
}

function _denoHandle(child: DenoChildProcessLike, group: boolean): _ChildHandle {
  return _promiseHandle(child, child.status, false, group);
}

/**
 * A child whose exit is a promise (Bun's `exited`, Deno's `status`) and whose
 * `kill()` throws once it is gone (Deno) or does nothing (Bun).
 */
function _promiseHandle(
  child: { readonly pid: number; kill(signal: AdoptSignal): void },
  exit: unknown,
  exitedAlready: boolean,
  group: boolean,
): _ChildHandle {
  const latch = _exitLatch();
  if (exitedAlready) latch.mark();
  Promise.resolve(exit).then(latch.mark, latch.mark);
  return {
    pid: child.pid,
    exited: latch.exited,
    gone: latch.gone,
    send(signal: AdoptSignal): void {
      if (latch.exited()) return;
      if (signal === "SIGKILL" && group) _killGroup(child.pid);
      try {
        child.kill(signal);
      } catch {
        // Gone meanwhile ("Child process has already terminated"): its exit promise settles.
      }
    },
    release: () => {},
  };
}

/** Whether a node:child_process child is still running: `kill(0)` sends nothing, only checks. */
function _nodeAlive(child: NodeChildProcessLike): boolean {
  // Deno's kill() does nothing once `killed` is set: clear it for the check.
  const killed = child.killed;
  child.killed = false;
  try {
    return child.kill(0 as unknown as AdoptSignal);
  } catch {
    return false;
  } finally {
    child.killed = killed;
  }
}
