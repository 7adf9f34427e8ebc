// The part of drain() loaded after the call, so that a program that drains no
// server never loads it: the server kind's code, the WebSockets, and the step
// that stops the server at shutdown.

import type { ShutdownHookContext } from "../core/types.ts";
import type { _DrainCounts, _DrainTarget, _EarlyNode, _Tracker } from "./_drain_types.ts";
import { type _NodeServer, _nodeTarget } from "./_drain_node.ts";
import { type _BunServer, _bunTarget, type _DenoServer, _denoTarget } from "./_drain_fetch.ts";
import { _newSockets, type _Sockets } from "./_drain_sockets.ts";
import { _settlesWithin } from "../core/_settles_within.ts";
import { _STEP_CUT } from "../core/_steps.ts";

/** What drain() decided at the call, and the state it shares with its handle. */
export interface _DrainSetup {
  kind: "node" | "deno" | "bun";
  tracker: _Tracker | undefined;
  counts: _DrainCounts;
  /** A node:http server's sockets and requests seen since the call. */
  early: _EarlyNode | undefined;
  drainDelayMs: number;
  timeoutMs: number;
  /** Read by the handle: the phase, and when the shutdown was requested. */
  state: { phase: "serving" | "delaying" | "draining" | "closed"; requestedAt: number };
}

/** One drain once loaded. */
export interface _DrainParts {
  readonly target: _DrainTarget;
  readonly sockets: _Sockets;
  /** Starts the stop (after the delay) now, ahead of this drain's step. */
  begin(signal: AbortSignal): void;
  /** The shutdown step: delay, stop accepting, wait, cut what is left. */
  run(context: ShutdownHookContext): Promise<void>;
}

/** Follows `server` from now on (taking over what `setup.early` saw). */
export function _drainParts(server: object, setup: _DrainSetup): _DrainParts {
  const { kind, tracker, counts, state, drainDelayMs, timeoutMs } = setup;
  const target = kind === "node"
    ? _nodeTarget(server as _NodeServer, counts, setup.early)
    : kind === "deno"
    ? _denoTarget(server as _DenoServer, tracker)
    : _bunTarget(server as _BunServer, tracker, counts);
  const sockets = _newSockets();
  const closeSockets = async (signal: AbortSignal, waitMs = 1_000): Promise<void> => {
    const closed = sockets.closed;
    const all = sockets.closeAll();
    counts.webSockets += sockets.closed - closed;
    // Let their close frames go out and be answered before the connections go.
    await _settlesWithin(all, waitMs, signal);
  };
  // The stop, once: started by this drain's step or by the first drain step of
  // the same shutdown, so that every server stops accepting at the stop.
  let begun: Promise<{ stopped: Promise<void>; at: number }> | undefined;
  const begin = (signal: AbortSignal): Promise<{ stopped: Promise<void>; at: number }> =>
    begun ??= (async () => {
      await _sleep(drainDelayMs - (performance.now() - state.requestedAt), signal);
      state.phase = "draining";
      // Deno closes upgraded sockets at shutdown() itself, with its own reason:
      // close ours first, with ours, and let the close handshakes end (briefly).
      if (kind === "deno") await closeSockets(signal, 250);
      return { stopped: target.stop(), at: performance.now() }; // counts what is in flight now
    })();
  const run = async ({ signal, note }: ShutdownHookContext): Promise<void> => {
    const { stopped, at } = await begin(signal);
    const report = (): void => note(_detail(counts));
    report();
    // timeoutMs runs from the stop, also while an earlier drain's step ran.
    const left = !(await _settlesWithin(stopped, timeoutMs - (performance.now() - at), signal));
    // What is left is cut: said at once, as a forced end may record the step now.
    target.refresh?.();
    note(_detail(left ? { ...counts, cut: counts.cut + counts.active } : counts));
    // Sockets left open (any, when it was cut) are closed before their connections go.
    await closeSockets(signal);
    if (left) await target.cut();
    state.phase = "closed";
    // When it was cut, give the server a moment to let go of its connections.
    if (left) await _settlesWithin(stopped, 1_000, signal);
    target.refresh?.();
    report();
    // A request cut is a visible outcome of the step, not "ok".
    if (left && (counts.cut > 0 || !counts.tracked)) throw _STEP_CUT;
  };
  return { target, sockets, begin: (signal) => void begin(signal), run };
}

/** The step's line in the report: how many requests were in flight, served and cut. */
function _detail(counts: _DrainCounts): string {
  const n = counts.webSockets;
  const ws = n > 0 ? `, ${n} WebSocket${n === 1 ? "" : "s"} closed (1001)` : "";
  if (!counts.tracked) return `requests not tracked (wrap the handler with drainable())${ws}`;
  return `${counts.inFlight} in flight at the stop, ${counts.served} served, ${counts.cut} cut${ws}`;
}

/** Waits `ms` (none when <= 0) unless `signal` aborts first. */
function _sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (!(ms > 0) || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
