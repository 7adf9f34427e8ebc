// src/watchdog/: the watchdog integration. `watchdog()` on the main thread;
// the thread itself starts from src/runtime/_watchdog_start.ts, and the probe
// the state machine calls is a type in the core (src/core/_machine_state.ts),
// so the core loads nothing for it. It imports the core's public surface and
// its shared helpers (src/core/) and that runtime file only; nothing in the
// core or in another integration imports it.

/**
 * A watchdog off the main thread: it ends the process at the shutdown
 * deadline, with the status a forced end would have, even when the main
 * thread is stuck in synchronous code (a hook in a busy loop), and says on
 * stderr which step was stuck.
 *
 * @module
 */

import type { ShutdownController } from "../core/shutdown_controller.ts";
import { _machineOf } from "../core/shutdown_controller.ts";
import { shutdown } from "../core/shutdown_controller.ts";
import {
  _CELL,
  _epochNow,
  _STATE,
  type _WatchdogLink,
  type _WatchdogMessage,
  type _WatchdogProbe,
} from "../core/_machine_state.ts";
import { _heldBy } from "../core/_machine_state.ts";
import { _checkKnownKeys, _checkMs, _checkOptions, _show } from "../core/_options.ts";

/** Options for {@linkcode watchdog}. */
export interface WatchdogOptions {
  /** The controller to watch; default: the process-wide `shutdown`. */
  controller?: ShutdownController;
  /**
   * How long past the deadline the watchdog waits for the main thread to end
   * the process itself before it ends it, in ms; default 50.
   */
  graceMs?: number;
}

/** A running watchdog; dispose it to stop it. */
export interface WatchdogHandle extends Disposable {
  /**
   * Resolves once the watchdog thread runs; to `false` when none could start
   * here. It guards from then on: a thread still starting when the main
   * thread gets stuck may never start (Bun needs the main thread for that).
   */
  readonly ready: Promise<boolean>;
}

const _KNOWN = ["controller", "graceMs"] as const;

/**
 * Starts a watchdog thread for a controller (opt-in: it costs a thread and
 * its start-up, a few ms and a few MiB). Once a shutdown has begun, the
 * watchdog ends the process at the deadline plus `graceMs` if the main thread
 * has not ended it by then (because synchronous code blocks it), with the
 * status a forced end would have (death by the signal that started the
 * shutdown), and writes a line on stderr naming the hook that was running.
 * On Deno it also counts stop signals while the main thread is stuck, so
 * `maxAttempts` signals force the end even then.
 *
 * @example Watch the process-wide controller (here a fake one, so the example ends)
 * ```ts
 * import { ShutdownController, watchdog } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const controller = new ShutdownController({ runtime: new FakeRuntime() });
 * using dog = watchdog({ controller }); // a real program: `watchdog()`
 * console.log(await dog.ready); // false: a fake runtime has no process to end
 * controller[Symbol.dispose]();
 * ```
 *
 * @param options The controller and the grace past the deadline.
 * @returns A handle; dispose it to stop the watchdog.
 * @throws {TypeError | RangeError} When an option is invalid.
 */
export function watchdog(options?: WatchdogOptions): WatchdogHandle {
  _checkOptions("watchdog() options", options);
  _checkKnownKeys("watchdog() options", options, _KNOWN);
  const graceMs = options?.graceMs === undefined ? 50 : _checkMs("graceMs", options.graceMs);
  const controller = options?.controller ?? shutdown;
  const m = _machineOf(controller);
  if (m === undefined) {
    throw new TypeError(`controller must be a ShutdownController, got ${_show(controller)}`);
  }
  if (m.watch !== undefined) throw new Error("this controller already has a watchdog");
  m.assertUsable("watchdog()");
  const runtime = m.rt;
  if (!runtime.processWide) {
    return { ready: Promise.resolve(false), [Symbol.dispose]: () => {} };
  }
  const cells = new Int32Array(new SharedArrayBuffer(8));
  cells[_CELL.step] = -1;
  const names = new Map<string, number>();
  let link: _WatchdogLink | undefined;
  let stopped = false;
  const queue: _WatchdogMessage[] = [];
  const post = (message: _WatchdogMessage): void => {
    if (link !== undefined) link.post(message);
    else queue.push(message);
  };
  const probe: _WatchdogProbe = {
    armed(inMs, end, open) {
      Atomics.store(cells, _CELL.state, _STATE.stopping);
      post({ type: "armed", atMs: _epochNow() + inMs, end, open });
    },
    step(name) {
      let index = names.get(name);
      if (index === undefined) {
        names.set(name, index = names.size);
        post({ type: "name", index, name });
      }
      Atomics.store(cells, _CELL.step, index);
    },
    idle() {
      Atomics.store(cells, _CELL.step, -1);
    },
    state(state) {
      Atomics.store(cells, _CELL.state, _STATE[state]);
      // The exit is asked for now: a thread of ours must not swallow its signal.
      if (state === "done") stop();
    },
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (m.watch === probe) m.watch = undefined;
    adopted.watch(undefined);
    link?.stop();
  };
  m.watch = probe;
  // The children adopt() holds: killed (with the groups they lead) before the end.
  const adopted = _heldBy(controller);
  adopted.watch({
    added: (pid, group) => post({ type: "child", pid, group }),
    removed: (pid) => post({ type: "child-gone", pid }),
  });
  if (m.state === "stopping") probe.armed(m.deadlineMs - runtime.now(), m.watchdogEnd(), []);
  const ready = import("../runtime/_watchdog_start.ts").then(async ({ _startWatchdog }) => {
    if (stopped) return false;
    const started = await _startWatchdog(cells, {
      graceMs,
      maxAttempts: m.options.maxAttempts,
      budgetMs: m.budget(),
      signals: m.signals(),
    });
    if (started === undefined) return false;
    if (stopped) {
      started.stop();
      return false;
    }
    link = started;
    for (const message of queue.splice(0)) link.post(message);
    return true;
  });
  return { ready, [Symbol.dispose]: stop };
}
