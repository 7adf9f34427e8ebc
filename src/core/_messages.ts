// Every message the library prints: the first-Ctrl-C notice, the force
// notice, and the compact table after a slow or failed shutdown.

import type { ShutdownCause, ShutdownReport } from "./types.ts";

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
  return `shutting down gracefully (${_describeCause(cause)}); press Ctrl-C ${times} to force`;
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
