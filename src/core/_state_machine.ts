// The controller's state machine (the table is in shutdown_controller.ts):
// `running → stopping → forcing → done`, what moves it, and what each move
// does. The controller keeps the public API and checks its arguments; every
// transition happens here. What the machine knows is in `_machine_state.ts`,
// the report and the exit in `_report_and_exit.ts`. Below the machine: how it
// subscribes to its runtime (one listener per process), and the idle rehearsal.

import type { ShutdownCause } from "./types.ts";
import type {
  RuntimeAdapter,
  StopEvent,
  StopEventListener,
  StopSignal,
  Unsubscribe,
} from "./runtime_adapter.ts";
import type { _Scope } from "./protection_scope.ts";
import { ShutdownError } from "./shutdown_error.ts";
import { _describeCause, _firstNotice, _forceNotice, _reportAndExit } from "./_report_and_exit.ts";
import { type _ControllerSettings, _readControllerOptions } from "./_options.ts";
import {
  _causeOf,
  type _Clock,
  _isHangup,
  _isLogoff,
  _MAX_TIMER_MS,
  _osPolicy,
  _setTimer,
} from "./_platform.ts";
import { _MachineState, type ShutdownState } from "./_machine_state.ts";

export type { ShutdownState };

/** One controller's transitions, on the state it extends. */
export class _StateMachine extends _MachineState {
  constructor(options: _ControllerSettings, lazy: boolean) {
    super(options, lazy);
    if (!lazy) this.listen();
  }

  /**
   * Refuses new work from now on. Before a shutdown, stops listening at once;
   * during one, lets it end as it would have (hooks, report, exit status) and
   * stops listening then: a `using` block that ends mid-shutdown loses nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.state === "running") {
      this.stopListening();
      this.watch?.state("done");
      this.disposedFirst = true;
    }
  }

  /** Disposes, then waits for a shutdown in progress to end (`await using`). */
  async disposeAsync(): Promise<void> {
    this.dispose();
    if (this.state !== "running" && this.state !== "done") await this.finished;
  }

  // --- listening ------------------------------------------------------------

  activate(): void {
    if (
      this.lazy && this.unlisten === undefined && !this.disposed && this.state === "running"
    ) {
      this.listen();
    }
  }

  listen(): void {
    const runtime = this.rt;
    // Past the deadline where console events are held: our forced exit (report,
    // status) must come before the hold limit lets Windows end the process.
    const holdLimitMs = Math.min(
      Math.ceil(this.budget()) + runtime.policy.holdMarginMs,
      _MAX_TIMER_MS,
    );
    this.unlisten = _listen(runtime, this, {
      stop: (event) => this.onStopEvent(event),
      naturalEnd: () => this.onNaturalEnd(),
      uncaught: (error) => this.onUncaught(error),
      exit: () => this.onExit(),
      holdLimitMs,
      signals: this.signals(),
    });
    // Compile the shutdown path while idle; never keeps the process alive.
    this.warmUpTimer = runtime.whenIdle?.(() => {
      this.warmUpTimer = undefined;
      if (this.state === "running") _rehearse(runtime, _scratchMachine);
    });
  }

  // --- events ---------------------------------------------------------------

  onStopEvent(event: StopEvent): Promise<void> | void {
    if (_isHangup(event)) {
      this.callSafely("onHup", this.options.onHup);
      if (!this.options.terminateOnHup) return;
    }
    if (_isLogoff(event) && !this.options.terminateOnLogoff) return;
    this.request(_causeOf(event), event);
    return this.finished;
  }

  onNaturalEnd(): boolean {
    if (this.state !== "running") return false;
    this.begin({ kind: "end" });
    // Nothing is left to run: no open scope can close, no start-up can finish.
    const abandoned = this.hold.names();
    if (abandoned.length > 0) {
      this.say(
        `the program ended with ${abandoned.join(", ")} still open; ` +
          "running the hooks now (nothing is left to close them)",
        true,
      );
      this.hold.abandon(
        new ShutdownError("abandoned: the program ended while it was open", {
          kind: "forced",
          cause: this.facts.cause,
        }),
      );
      this.maybeFinalize();
    }
    return true;
  }

  onUncaught(error: unknown): boolean {
    if (this.state === "done") return false;
    this.rt.printUncaught(error);
    if (this.state === "running") this.begin({ kind: "error", reason: error });
    else this.facts.lateError = true;
    return true;
  }

  onExit(): void {
    if (this.ending()) return;
    // exit() is synchronous: only the synchronous part of each hook can run.
    if (this.state === "running") this.mark({ kind: "exit", reason: this.rt.exitCode() ?? 0 });
    this.state = "forcing";
    this.exiting = true;
    const error = this.forcedError();
    this.abortAll(error);
    // The step running now most likely called exit() itself: it ended its way.
    this.steps.endCurrentByExit(error);
    this.steps.runNow(this.facts.cause!);
    this.finish();
  }

  // --- transitions ------------------------------------------------------------

  request(cause: ShutdownCause, event: StopEvent | undefined): void {
    if (this.ending()) return;
    this.facts.attempts++;
    if (event !== undefined) this.facts.lastEvent = event;
    if (this.state === "running") {
      this.begin(cause);
      const left = this.options.maxAttempts - this.facts.attempts;
      // A macrotask later, after the first step has started: the first touch
      // of stderr took Bun 5–13 ms, which no hook should wait for.
      if (left > 0 && cause.kind !== "request") {
        this.rt.setTimer(() => {
          if (this.facts.attempts === 1 && this.state === "stopping") {
            this.say(_firstNotice(cause, left), false);
          }
        }, 0);
      }
    }
    if (this.facts.attempts >= this.options.maxAttempts) this.forceEnd("attempts");
  }

  mark(cause: ShutdownCause): void {
    if (this.warmUpTimer !== undefined) this.rt.clearTimer(this.warmUpTimer);
    this.facts.start(cause, this.steps.originMs = this.rt.now());
  }

  /** running → stopping. */
  begin(cause: ShutdownCause): void {
    this.state = "stopping";
    this.mark(cause);
    this.deadlineMs = this.facts.startedMs + this.budget();
    this.abort.abort(
      new ShutdownError(`shutdown requested (${_describeCause(cause)})`, { cause }),
    );
    this.scopeHost.shared.pending = true;
    this.scopeHost.shared.countFromMs = this.facts.startedMs;
    const latest = this.hold.startCountdown(this.facts.startedMs);
    this.holdersChanged();
    this.armDeadline(latest);
    this.maybeFinalize(true);
  }

  /** `latest`: the latest scope deadline, when the caller knows it without a pass over the scopes. */
  armDeadline(latest = this.hold.latestDeadline()): void {
    this.deadlineTimer?.cancel();
    // Open scopes keep at least their own budget, so they push the deadline;
    // steps that start after such a scope get the pushed deadline too.
    // A scope's end plus the hooks' reserve, so the hooks never get 0 ms.
    this.deadlineMs = Math.max(this.deadlineMs, latest + this.reserve());
    this.watch?.armed(this.deadlineMs - this.rt.now(), this.watchdogEnd(), this.hold.names());
    this.deadlineTimer = _setTimer(this.rt, () => {
      if (this.state !== "stopping") return;
      if (!this.finalizing && this.hold.latestDeadline() > this.rt.now()) this.armDeadline();
      else this.forceEnd("deadline");
    }, this.deadlineMs - this.rt.now());
  }

  /**
   * Starts the steps once nothing holds. `now`: nothing held at the request,
   * so a microtask later is enough (a timer costs Deno ~2 ms after a signal);
   * after a scope closed, a macrotask later, so code that just left its scope
   * can finish unwinding.
   */
  maybeFinalize(now = false): void {
    if (this.state !== "stopping" || this.finalizing || !this.hold.empty) return;
    this.finalizing = true;
    if (now) void Promise.resolve().then(() => this.finalize());
    else this.rt.setTimer(() => this.finalize(), 0);
  }

  /** Runs the steps, last registered first, while stopping; then → done. */
  async finalize(): Promise<void> {
    this.steps.onStep = this.watch && ((name) => this.watch?.step(name));
    await this.steps.run(this.facts.cause!, () => this.deadlineMs, () => {
      this.watch?.idle();
      // A step that blocked the thread past the deadline kept the timer from
      // firing: the deadline forces all the same, before the next step.
      if (this.state === "stopping" && this.rt.now() >= this.deadlineMs) {
        this.forceEnd("deadline");
      }
      return this.state === "stopping";
    });
    this.finish(); // a no-op when an exit or a dispose finished it already
  }

  /** stopping → forcing. */
  forceEnd(by: "attempts" | "deadline"): void {
    if (this.state !== "stopping") return;
    this.state = "forcing";
    this.watch?.state("forcing");
    this.facts.forcedBy = by;
    this.facts.openAtForce = this.hold.names();
    const error = this.forcedError();
    this.abortAll(error);
    this.say(_forceNotice(by, this.facts.openAtForce, this.steps.names()), false);
    const running = this.steps.running;
    this.steps.force(error);
    // A running step ends on the abort above and finalize() finishes; else finish now.
    if (!running) this.finish();
  }

  /** → done: the report, then the exit. */
  finish(): void {
    if (this.state === "done") return;
    this.steps.cutRest();
    this.state = "done";
    this.watch?.state("done");
    this.deadlineTimer?.cancel();
    _reportAndExit(this);
  }

  // --- helpers ------------------------------------------------------------------

  readonly scopeHost = {
    shared: { pending: false, countFromMs: Number.NaN },
    now: (): number => this.rt.now(),
    schedule: (scope: _Scope): void => {
      this.hold.schedule(scope);
      this.holdersChanged();
    },
    pendingError: (): ShutdownError => this.pendingError(),
    released: (scope: _Scope): void => {
      this.hold.deleteScope(scope);
      this.holdersChanged();
      this.maybeFinalize();
    },
  };

  abortAll(error: ShutdownError): void {
    this.scopeHost.shared.pending = true;
    if (!this.abort.signal.aborted) this.abort.abort(error);
    this.hold.abortAll(error);
  }
}

/** A lazy machine for `_rehearse`, which cannot import this module back. */
function _scratchMachine(settings: _ControllerSettings): _StateMachine {
  return new _StateMachine(settings, true);
}

// The idle rehearsal: one whole shutdown on a scratch machine, so the first
// real signal finds the shutdown path compiled.

/** A machine to rehearse on: it takes stop events as the real one does. */
export interface _Rehearsable extends _MachineState {
  onStopEvent(event: StopEvent): unknown;
}

/**
 * Runs one whole shutdown (a SIGTERM, one hook, the report, the exit) on a
 * scratch machine whose runtime acts on nothing, while the process is idle:
 * the first real signal then finds the path compiled. Cold, the code between
 * a signal and the abort took Node ~0.4 ms and the first hook ~1.5 ms more.
 * `make` builds the machine (a lazy one).
 */
export function _rehearse(
  clock: _Clock,
  make: (settings: _ControllerSettings) => _Rehearsable,
): void {
  const none = (): void => {};
  const runtime: RuntimeAdapter = {
    name: "rehearsal",
    os: "posix",
    policy: _osPolicy("posix"),
    processWide: false,
    signals: [],
    now: () => clock.now(),
    setTimer: () => undefined,
    clearTimer: none,
    addStopListener: () => none,
    onNaturalEnd: () => none,
    onUncaught: () => none,
    onExit: () => none,
    exitCode: () => undefined,
    setExitCode: none,
    exit: none,
    dieBy: none,
    printUncaught: none,
    writeStderr: none,
    stderrIsTerminal: () => false,
  };
  const machine = make({ ..._readControllerOptions({}), runtime, log: none });
  machine.abort.signal.addEventListener("abort", none, { once: true });
  machine.steps.push("rehearsal", none, Infinity);
  void machine.onStopEvent({ kind: "signal", signal: "SIGTERM" });
}

// Subscribing a controller to its runtime: only one controller may listen to
// a process at a time. The claim lives on globalThis under a registered
// symbol, so two copies of the library loaded in one process see each other.

const _KEY = Symbol.for("@graceful/shutdown/listening");

type _Home = { [_KEY]?: object };

function _home(runtime: RuntimeAdapter): _Home {
  return (runtime.processWide ? globalThis : runtime) as _Home;
}

/** What a controller listens for. */
export interface _Listeners {
  readonly stop: StopEventListener;
  readonly naturalEnd: () => boolean;
  readonly uncaught: (error: unknown) => boolean;
  readonly exit: () => void;
  /** How long a Windows console event may be held, in ms. */
  readonly holdLimitMs: number;
  /** The signals to listen to. */
  readonly signals: readonly StopSignal[];
}

/**
 * Claims `runtime` for `owner` and subscribes every listener; returns the
 * function that undoes both. Throws, leaving nothing behind, when another
 * controller holds the claim or a subscription fails.
 */
export function _listen(runtime: RuntimeAdapter, owner: object, on: _Listeners): Unsubscribe {
  const home = _home(runtime);
  const current = home[_KEY];
  if (current !== undefined && current !== owner) {
    throw new Error(
      `another ShutdownController is already listening to this ${runtime.name} process; ` +
        "only one may listen at a time: use the process-wide `shutdown`, or dispose the " +
        "other controller first",
    );
  }
  home[_KEY] = owner;
  const undo: Unsubscribe[] = [];
  const stop = (): void => {
    for (const unsubscribe of undo.splice(0).reverse()) unsubscribe();
    if (home[_KEY] === owner) delete home[_KEY];
  };
  try {
    undo.push(runtime.addStopListener(on.signals, on.stop, { holdLimitMs: on.holdLimitMs }));
    undo.push(runtime.onNaturalEnd(on.naturalEnd));
    undo.push(runtime.onUncaught(on.uncaught));
    undo.push(runtime.onExit(on.exit));
  } catch (error) {
    stop();
    throw error;
  }
  return stop;
}
