// src/children/: the child-process integration. `adopt()`, the child shapes it
// accepts (`child_process_like.ts`), the handle it keeps per child and how a
// child is stopped. It imports the core's public surface and its shared
// helpers (src/core/), and src/runtime/_process_group.ts for process groups;
// nothing in the core or in another integration imports it.

/**
 * Child processes that stop with their parent and never outlive it.
 *
 * @module
 */

import type { ShutdownController } from "../core/shutdown_controller.ts";
import type { ShutdownCause, ShutdownHookContext } from "../core/types.ts";
import { _checkController, _machineOf } from "../core/shutdown_controller.ts";
import type { _Step } from "../core/_steps.ts";
import { type _AdoptedChild, type _AdoptedSet, _heldBy } from "../core/_machine_state.ts";
import type { AdoptableChild, AdoptSignal } from "./child_process_like.ts";
import {
  _checkBoolean,
  _checkKnownKeys,
  _checkMs,
  _checkOptionalString,
  _checkOptions,
  _show,
} from "../core/_options.ts";
import type { _ChildHandle } from "./_child_handle.ts";
import type { _StopSettings } from "./_stop_child.ts";

export type { AdoptSignal };

const _SIGNALS: readonly AdoptSignal[] = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL"];
const _OPTIONS = ["controller", "name", "signal", "timeoutMs", "detached"] as const;

/**
 * Options for {@linkcode adopt}.
 *
 * @example
 * ```ts
 * import type { AdoptOptions } from "@graceful/shutdown";
 *
 * // adopt(child, options): SIGTERM, then SIGKILL if it is still running 10 s later.
 * const options: AdoptOptions = { name: "worker", signal: "SIGTERM", timeoutMs: 10_000 };
 * console.log(options.name);
 * ```
 */
export interface AdoptOptions {
  /** The controller whose shutdown stops the child. @default {shutdown} */
  controller?: ShutdownController;
  /** The step's name in the report. @default {"child <pid>"} */
  name?: string;
  /** The signal that asks the child to stop. @default {"SIGTERM"} */
  signal?: AdoptSignal;
  /**
   * How long the child may take to exit, in ms from the start of its stop
   * (its step's start, or that of the adopted child it is stopped with),
   * before it is killed with SIGKILL. Unset: until the shutdown deadline.
   */
  timeoutMs?: number;
  /**
   * Whether the child leads a process group of its own (spawned with
   * `detached: true`, or through `setsid`). When false, a stop signal the
   * parent got may have reached the child too (Ctrl-C, systemd stopping the
   * unit, `kill -- -<pgid>`), so the child is first given half of its time (at
   * most 5 s) to stop on its own before it is sent `signal`. When true, it is
   * sent `signal` at once, and what is left of its group once it has exited
   * is sent SIGKILL.
   * @default {false}
   */
  detached?: boolean;
}

/**
 * Makes a child process a step of the shutdown (last registered first, with
 * the hooks): at shutdown it is sent `signal`, waited for within `timeoutMs`
 * and the deadline, then killed with SIGKILL; the step ends once it has
 * exited. Children adopted one after another are asked together, when the
 * stack reaches the first of them. A child that exits before the shutdown
 * leaves the stack. It never outlives the parent: on a forced end, an
 * uncaught error, `exit()` or the watchdog it is killed before the parent
 * ends (SIGKILL of the parent aside).
 *
 * @example Stop a worker process with the program
 * ```ts
 * import { spawn } from "node:child_process";
 * import { adopt, ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * // A real program leaves out `controller`: the process-wide `shutdown` is used.
 * const runtime = new FakeRuntime();
 * const controller = new ShutdownController({ runtime });
 * const child = spawn("sleep", ["60"], { stdio: "ignore" });
 * adopt(child, { controller, name: "sleeper", timeoutMs: 5_000 });
 * controller.request("done");
 * await runtime.advance(0);
 * const report = await controller.done;
 * console.log(report.steps); // [{ name: "sleeper", outcome: "ok", … }]
 * ```
 *
 * @param child A `Deno.ChildProcess`, a Bun `Subprocess` or a `node:child_process` child.
 * @param options The controller, name, signal, time limit and process group.
 * @returns A disposable that unregisters the child if its step has not started.
 * @throws {TypeError | RangeError} When `child` is not a child process or an option is invalid.
 */
export function adopt(child: AdoptableChild, options?: AdoptOptions): Disposable {
  _checkOptions("adopt() options", options);
  _checkKnownKeys("adopt() options", options, _OPTIONS);
  const controller = _checkController(options?.controller);
  let name = _checkOptionalString("name", options?.name);
  const signal = _checkSignal(options?.signal);
  const timeoutMs = options?.timeoutMs === undefined
    ? undefined
    : _checkMs("timeoutMs", options.timeoutMs);
  const detached = options?.detached === undefined
    ? false
    : _checkBoolean("detached", options.detached);
  const kind = _childKind(child);
  if (kind === undefined) {
    throw new TypeError(
      "child must be a Deno.ChildProcess, a Bun Subprocess or a node:child_process " +
        `ChildProcess, got ${_describeNonChild(child)}`,
    );
  }
  name ??= `child ${(child as { pid?: number }).pid ?? "(not started)"}`;
  const settings = { name, signal, timeoutMs, detached, budgetMs: controller.budgetMs };
  const m = _machineOf(controller)!;
  // Its safety net: a forced end cuts steps that have not started, and `done`
  // resolves right before the process ends.
  const adopted = _heldBy(controller);
  const record = new _Adoptee(child, kind, settings, adopted);
  // Registered first, watched after: a refused registration leaves no listener behind.
  const registration = controller.onShutdown((context) => record.run(context, m.steps.top), {
    name,
  });
  record.step = m.steps.top;
  record.step!.tag = record;
  record.registration = registration;
  adopted.add(record);
  if (_impl !== undefined) record.watch(_impl);
  else _load().then((impl) => record.active && record.watch(impl));
  return { [Symbol.dispose]: () => record.dispose() };
}

/**
 * One adopted child: its step, its stop (started by its own step or by the
 * step of an adopted child above it on the stack), and its place in the
 * controller's registry while it runs.
 */
class _Adoptee implements _AdoptedChild {
  readonly pid: number | undefined;
  readonly group: boolean;
  step: _Step | undefined;
  registration: Disposable | undefined;
  #child: AdoptableChild;
  #kind: _ChildKind;
  #settings: _StopSettings;
  #adopted: _AdoptedSet;
  #handle: _ChildHandle | undefined;
  #stopping: Promise<void> | undefined;
  #abort = new AbortController();
  #active = true;
  #ran = false;

  /** False once the program let go of it (disposed). */
  get active(): boolean {
    return this.#active;
  }
  /** The child whose step began this one's stop, and when. */
  #with: string | undefined;
  #startMs = 0;

  #elapsed(): number {
    return Math.round(Date.now() - this.#startMs);
  }

  constructor(
    child: AdoptableChild,
    kind: _ChildKind,
    settings: _StopSettings,
    adopted: _AdoptedSet,
  ) {
    this.#child = child;
    this.#kind = kind;
    this.#settings = settings;
    this.#adopted = adopted;
    this.pid = (child as { pid?: number }).pid;
    this.group = settings.detached;
  }

  /** Starts watching for the child's exit, once the child code has loaded. */
  watch(impl: _AdoptImpl): _ChildHandle {
    if (this.#handle !== undefined) return this.#handle;
    const handle = this.#handle = impl.childHandle(this.#child, this.#kind, this.group);
    handle.gone.then(() => this.#gone());
    return handle;
  }

  /** The child ended: it holds nothing any more, and a step not yet started goes. */
  #gone(): void {
    this.#adopted.delete(this);
    if (this.#stopping === undefined && !this.#ran) this.registration?.[Symbol.dispose]();
  }

  /** Its step: starts its stop and those of the adopted children right below it. */
  run(context: ShutdownHookContext, below: _Step | undefined): Promise<void> | void {
    this.#ran = true;
    if (context.signal.aborted) {
      // exit() (only this synchronous part runs) or forced: kill now.
      this.kill();
      return;
    }
    if (this.#with !== undefined) {
      context.note(`asked together with ${this.#with}, ${this.#elapsed()} ms before this step`);
    }
    const stopping = this.begin(context.cause);
    // The adopted children right below on the stack are asked now too.
    for (let step = below; step?.tag instanceof _Adoptee; step = step._below) {
      step.tag.begin(context.cause, this.#settings.name);
    }
    context.signal.addEventListener("abort", () => this.#abort.abort(), { once: true });
    return stopping;
  }

  /** Starts stopping the child (once, `by` the step of another child); settles when done. */
  begin(cause: ShutdownCause, by?: string): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    this.#with = by;
    this.#startMs = Date.now();
    const stop = (impl: _AdoptImpl): Promise<void> =>
      impl.stopChild(this.watch(impl), this.#settings, cause, this.#abort.signal);
    this.#stopping = _impl !== undefined ? stop(_impl) : _load().then(stop);
    // Its own step reports a failure; started early, it must not be unhandled meanwhile.
    this.#stopping.catch(() => {});
    return this.#stopping;
  }

  kill(): void {
    if (this.#handle !== undefined) this.#handle.send("SIGKILL");
    else _killNow(this.#child);
  }

  dispose(): void {
    if (!this.#active) return;
    this.#active = false;
    this.registration?.[Symbol.dispose]();
    if (!this.#ran && this.#stopping === undefined) {
      this.#handle?.release();
      this.#adopted.delete(this);
    }
  }
}

/** What adopt() loads on first use: watching children and stopping them. */
interface _AdoptImpl {
  childHandle(child: AdoptableChild, kind: _ChildKind, group: boolean): _ChildHandle;
  stopChild(
    handle: _ChildHandle,
    settings: _StopSettings,
    cause: ShutdownCause,
    abort: AbortSignal,
  ): Promise<void>;
}

let _impl: _AdoptImpl | undefined;
let _loading: Promise<_AdoptImpl> | undefined;

/**
 * Loads the child-process code on the first adopt(), so a program that
 * adopts no child never loads it.
 */
function _load(): Promise<_AdoptImpl> {
  return _loading ??= Promise.all([import("./_child_handle.ts"), import("./_stop_child.ts")])
    .then(([handles, stops]) =>
      _impl = { childHandle: handles._childHandle, stopChild: stops._stopChild }
    );
}

/** SIGKILL at once, before the child code has loaded; never throws. */
function _killNow(child: AdoptableChild): void {
  const node = child as { killed?: boolean };
  try {
    // Deno's node:child_process refuses kill() once `killed` is set.
    if (node.killed === true) node.killed = false;
    child.kill("SIGKILL");
  } catch {
    // Gone already.
  }
}

function _checkSignal(value: unknown): AdoptSignal {
  if (value === undefined) return "SIGTERM";
  if (typeof value !== "string") {
    throw new TypeError(`signal must be a signal name, got ${_show(value)}`);
  }
  if (!(_SIGNALS as readonly string[]).includes(value)) {
    throw new RangeError(`signal must be one of ${_SIGNALS.join(", ")}, got ${_show(value)}`);
  }
  return value as AdoptSignal;
}

// Which kind of child process an object is, by its properties alone: the
// cheap part of adopt() that must run at once (the rest loads on first use).

/** Which kind of child an object is. */
export type _ChildKind = "node" | "bun" | "deno";

function _isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** Tells which kind of child `value` is, reading properties only; undefined: none. */
export function _childKind(value: unknown): _ChildKind | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const child = value as Record<string, unknown>;
  if (typeof child.kill !== "function") return undefined;
  // An EventEmitter with exit fields: node:child_process on any runtime.
  if (
    typeof child.on === "function" && typeof child.removeListener === "function" &&
    "exitCode" in child && "signalCode" in child
  ) {
    return "node";
  }
  if (typeof child.pid !== "number") return undefined;
  if ("exited" in child && _isThenable(child.exited)) return "bun";
  if ("status" in child && _isThenable(child.status)) return "deno";
  return undefined;
}

/** Describes a value that is not a child, for an error message. */
export function _describeNonChild(value: unknown): string {
  if (value === null || typeof value !== "object") return _show(value);
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  const shown = _show(value);
  const brief = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  return name && name !== "Object" ? `a ${name} ${brief}` : brief;
}
