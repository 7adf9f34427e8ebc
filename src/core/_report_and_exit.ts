// The end of a shutdown, once the machine is `done`: the exit status, the
// report (stderr, `done`, `onReport` listeners), then the exit, in that order.
// The status is the one the process would have had without the library (see
// README, "Exit status"). Every message the library prints is worded here.

import type { ShutdownCause, ShutdownExit, ShutdownReport } from "./types.ts";
import type { StopEvent } from "./runtime_adapter.ts";
import { _MAX_TIMER_MS, _setTimer, _signalOf, _statusFor, _turnsLater } from "./_platform.ts";
import type { _MachineState } from "./_machine_state.ts";

/** Decides the exit status, hands the report out, then asks for the exit (if any). */
export function _reportAndExit(m: _MachineState): void {
  const runtime = m.rt;
  const forced = m.facts.forcedBy !== undefined;
  const failed = m.facts.lateError || m.steps.failed;
  const exit = _decideExit({
    cause: m.facts.cause!,
    lastEvent: m.facts.lastEvent,
    ownCode: runtime.exitCode(),
    requestedCode: m.facts.requestedCode,
    failed,
    forced,
    leaving: m.exiting || m.disposedFirst,
    canReraise: runtime.policy.canReraise,
  });
  const report = m.facts.report(m.steps.reports, exit, runtime.now());
  const exits = exit.signal !== undefined || exit.code !== undefined;
  // When the library ends the process, its listeners stay (ignoring what
  // comes) until the exit: a burst of signals must not kill the process by
  // their default action before the report, `done` and `onReport` are out.
  if (!exits) m.stopListening();
  if (_reportIsNoteworthy(report, m.budget() / 2)) m.say(_formatReport(report), true);
  if (forced) m.callSafely("beforeTermination", m.options.beforeTermination);
  m.resolveDone(report);
  const shipped = _shipReport(m, report);
  if (exits) {
    // A macrotask later at least, so code awaiting `done` runs first, and
    // after `onReport` listeners (within the deadline); a held console
    // event is released only after our exit, with our status, was asked for.
    // Buffered output is flushed first, within the deadline (not when forced).
    const left = (): number =>
      forced ? 0 : Math.min(Math.max(0, m.deadlineMs - runtime.now()), _MAX_TIMER_MS);
    shipped.then(() =>
      _afterAwaiters(() => {
        // Now our listeners go, so the signal re-raised is not ours to catch;
        // where console events are held, uninstalling would release the held
        // event, so that waits until the exit was asked for.
        if (!runtime.policy.holdsConsoleEvents) m.stopListening();
        const end = (): void => {
          if (exit.signal !== undefined) {
            runtime.dieBy(exit.signal, {
              withinMs: left(),
              say: (line) => m.say(line, true),
            });
          } else runtime.exit(exit.code!);
          m.stopListening();
          m.resolveFinished();
        };
        const flushed = runtime.flush?.(exit, left());
        if (flushed === undefined) end();
        else void flushed.then(end);
      })
    );
    return;
  }
  m.resolveFinished();
  // The process ends by itself: a failure still makes its status non-zero
  // (not when the program called exit(): its code stands).
  if (failed && !m.exiting && !runtime.exitCode()) runtime.setExitCode(1);
}

/**
 * Runs the `onReport` listeners together and waits for them until the
 * deadline at most; what they throw goes to stderr.
 */
function _shipReport(m: _MachineState, report: ShutdownReport): Promise<void> {
  if (m.reportListeners.size === 0 || m.exiting) {
    for (const listener of m.reportListeners) {
      m.callSafely("onReport", () => void listener(report));
    }
    return Promise.resolve();
  }
  const runtime = m.rt;
  const shipped = Promise.all([...m.reportListeners].map(async (listener) => {
    try {
      await listener(report);
    } catch (error) {
      m.say(`onReport threw: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }));
  return new Promise((resolve) => {
    const timer = _setTimer(runtime, resolve, Math.max(0, m.deadlineMs - runtime.now()));
    shipped.then(() => {
      timer.cancel();
      resolve();
    });
  });
}

/**
 * How many promise turns code awaiting `done` gets before the exit: enough
 * for `await controller.done` and a few wrapping async functions to run their
 * synchronous part (async work belongs in `onReport`). Turns, not a timer: a
 * timer costs Deno ~2 ms after a signal.
 */
const _AWAITER_TURNS = 8;

function _afterAwaiters(fn: () => void): void {
  void _turnsLater(_AWAITER_TURNS).then(fn);
}

/** What the exit depends on. */
export interface _ExitFacts {
  readonly cause: ShutdownCause;
  /** The last stop event, if any: a signal that came decides the status. */
  readonly lastEvent: StopEvent | undefined;
  /** The exit code the program set, if any. */
  readonly ownCode: number | undefined;
  /** The exit code a `request()` asked for, if any: it wins over the rest. */
  readonly requestedCode?: number;
  /** A hook or stop failed, or an error went uncaught during the shutdown. */
  readonly failed: boolean;
  /** The attempts or the deadline forced the end. */
  readonly forced: boolean;
  /** The process is already exiting (`exit()`), or the controller was disposed. */
  readonly leaving: boolean;
  /** Whether the OS lets the process die by re-raising the signal. */
  readonly canReraise: boolean;
}

/** Decides how the process ends; `{}` when it ends by itself. */
export function _decideExit(facts: _ExitFacts): ShutdownExit {
  const { cause, lastEvent } = facts;
  if (facts.leaving) return {};
  const requested = facts.requestedCode;
  // Asked for explicitly; only a clean 0 turns into 1 when something failed.
  if (requested !== undefined) {
    return { code: requested === 0 && (facts.failed || facts.forced) ? 1 : requested };
  }
  // At the natural end the process ends by itself, unless a signal came too.
  if (cause.kind === "end" && lastEvent === undefined) return {};
  if (facts.ownCode) return { code: facts.ownCode };
  if (lastEvent !== undefined) {
    const signal = _signalOf(lastEvent);
    return facts.canReraise ? { signal } : { code: _statusFor(signal) };
  }
  if (cause.kind === "error") return { code: 1 };
  return { code: facts.failed || facts.forced || cause.reason instanceof Error ? 1 : 0 };
}

// Every message the library prints: the first-Ctrl-C notice, the force
// notice, and the compact table after a slow or failed shutdown.

/** A cause in a few words: "SIGTERM", "CTRL_CLOSE", "request: …". */
export function _describeCause(cause: ShutdownCause): string {
  switch (cause.kind) {
    case "signal":
      return cause.signal ?? "signal";
    case "console":
      return cause.event ?? "console event";
    case "request":
      return cause.reason === undefined ? "request" : `request: ${_reasonText(cause.reason)}`;
    case "error":
      return `uncaught error: ${_reasonText(cause.reason)}`;
    case "end":
      return "end of the program";
    case "exit":
      return `exit(${String(cause.reason ?? "")})`;
  }
}

function _reasonText(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  return typeof reason === "string" ? reason : String(reason);
}

/** True when the report is worth showing: something failed, was forced, or was slow. */
export function _reportIsNoteworthy(report: ShutdownReport, slowMs: number): boolean {
  return report.forced || report.durationMs >= slowMs ||
    report.steps.some((step) => step.outcome !== "ok");
}

/** The report as a small table, one row per step. */
export function _formatReport(report: ShutdownReport): string {
  const head =
    `shutdown (${_describeCause(report.cause)}) took ${Math.round(report.durationMs)} ms` +
    (report.forced ? `, forced by ${report.forcedBy}` : "");
  const rows = report.steps.map((step) => {
    const start = step.startMs < 0 ? "-" : `+${Math.round(step.startMs)}`;
    const error = (step.error === undefined ? "" : `  ${_reasonText(step.error)}`) +
      (step.detail === undefined ? "" : `  (${step.detail})`);
    return `  ${step.outcome.padEnd(9)} ${String(Math.round(step.durationMs)).padStart(6)} ms ${
      start.padStart(7)
    }  ${step.name}${error}`;
  });
  const scopes = report.openScopes.length === 0
    ? []
    : [`  scopes cut: ${report.openScopes.join(", ")}`];
  const columns = `  ${"outcome".padEnd(9)} ${"took".padStart(9)} ${"at".padStart(7)}  step`;
  return [head, columns, ...rows, ...scopes].join("\n");
}

/** The one line on the first stop request: how many more requests force the end. */
export function _firstNotice(cause: ShutdownCause, left: number): string {
  const times = left === 1 ? "once more" : `${left} more times`;
  // Every stop event counts as an attempt: after SIGTERM from a supervisor,
  // the user may repeat that signal as well as press Ctrl-C.
  const other = cause.kind === "signal" && cause.signal !== undefined && cause.signal !== "SIGINT"
    ? `send ${cause.signal} or `
    : "";
  return `shutting down gracefully (${
    _describeCause(cause)
  }); ${other}press Ctrl-C ${times} to force`;
}

/** The one line on force: what is cut. */
export function _forceNotice(by: string, scopes: string[], hooks: string[]): string {
  const list = (what: string, names: string[]) =>
    names.length === 0 ? `no ${what}` : `${what} ${names.join(", ")}`;
  return `shutdown forced (${by}): cutting ${list("scopes", scopes)}; cutting ${
    list("hooks", hooks)
  }`;
}

/** Where messages go: `log` when given; else stderr if a terminal, or if `always`. */
export interface _MessageSink {
  readonly log: ((message: string) => void) | undefined;
  writeStderr(text: string): void;
  stderrIsTerminal(): boolean;
}

/** Writes a message: to `log` when given; else to stderr if a terminal, or if `always`. */
export function _say(sink: _MessageSink, message: string, always: boolean): void {
  if (sink.log !== undefined) return sink.log(message);
  if (always || sink.stderrIsTerminal()) sink.writeStderr(`${message}\n`);
}

/**
 * The one line when the end is left to another listener of `signal`: which
 * signal, the status, and until when (wall clock and from now).
 */
export function _leaveNotice(signal: string, status: number, withinMs: number): string {
  const until = new Date(Date.now() + withinMs).toISOString();
  return `the shutdown is done; another ${signal} listener (the program's or a library's) is ` +
    `left to end the process: if it has not ended by ${until} ` +
    `(in ${(withinMs / 1000).toFixed(1)} s), it exits with ${status}`;
}
