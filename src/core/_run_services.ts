// What `controller.run()` does once its argument is checked: start the
// services in order (a group's members together) while holding stop
// requests, bound each start, then wait for their stops. A start-up hold
// counts like a scope with the default budget once a shutdown is pending,
// so a start that hangs leaves the stops the hooks' reserve.

import type { Service, ShutdownCause } from "./types.ts";
import { ShutdownError } from "./shutdown_error.ts";
import type { _ServiceEntry } from "./_options.ts";
import type { _StartHold } from "./protection_scope.ts";
import type { _Step } from "./_steps.ts";
import { _setTimer, type _Timer } from "./_platform.ts";
import type { _StateMachine } from "./_state_machine.ts";

/** How one start ended. */
type _Started =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: unknown; readonly gaveUp?: "timeout" | "hold" };

/** Starts `entries` on `m`, then resolves once every started service has stopped. */
export async function _runServices(
  m: _StateMachine,
  entries: readonly _ServiceEntry[],
): Promise<void> {
  const hold: _StartHold = { name: "start-up" };
  m.hold.addHold(hold);
  m.holdersChanged();
  m.starting++;
  const giveUp = _holdBudget(m);
  const started: _Step[] = [];
  let failure: _Started & { ok: false } | undefined;
  let count = 0;
  try {
    for (const entry of entries) {
      if (m.ending()) break;
      const group = Array.isArray(entry) ? entry as readonly Service[] : [entry as Service];
      const names = group.map((service) => service.name ?? `service ${++count}`);
      const results = await Promise.all(
        group.map((service, i) => _startOne(m, service, names[i], giveUp.promise)),
      );
      const members = group.flatMap((service, i) =>
        results[i].ok
          ? [{
            name: names[i],
            fn: service.stop?.bind(service) ?? (() => {}),
            timeoutMs: service.stopTimeoutMs ?? Infinity,
          }]
          : []
      );
      if (members.length === 1 && !Array.isArray(entry)) {
        started.push(m.steps.push(members[0].name, members[0].fn, members[0].timeoutMs));
      } else if (members.length > 0) {
        started.push(m.steps.pushGroup(members));
      }
      failure = results.find((result): result is _Started & { ok: false } => !result.ok);
      if (failure !== undefined) break;
    }
    // A start cut by the shutdown: the stops run as steps of the shutdown.
    if (failure !== undefined && !(failure.gaveUp !== undefined && m.state !== "running")) {
      await m.steps.rollBack(started);
    }
  } finally {
    giveUp.cancel();
    m.starting--;
    m.startFailed = failure !== undefined;
    m.hold.deleteHold(hold);
    m.holdersChanged();
    m.maybeFinalize();
  }
  await Promise.all(started.map((step) => step.settled));
  if (failure !== undefined && failure.gaveUp !== "hold") throw failure.error;
}

/**
 * Runs one `start()`, bounded by its `startTimeoutMs` and by `giveUp` (the
 * start-up hold's budget); a start given up is reported when a shutdown is
 * pending.
 */
async function _startOne(
  m: _StateMachine,
  service: Service,
  name: string,
  giveUp: Promise<ShutdownError>,
): Promise<_Started> {
  const abort = new AbortController();
  const startMs = m.rt.now();
  let timer: _Timer | undefined;
  const limitMs = service.startTimeoutMs;
  const timedOut = new Promise<Error>((resolve) => {
    if (limitMs === undefined) return;
    timer = _setTimer(m.rt, () => {
      const error = new Error(`${name} did not start within its startTimeoutMs (${limitMs} ms)`);
      error.name = "TimeoutError";
      resolve(error);
    }, limitMs);
  });
  let starting: Promise<unknown>;
  try {
    // Called at once, as a plain `await service.start()` would.
    starting = Promise.resolve(service.start?.({ signal: abort.signal }));
  } catch (error) {
    starting = Promise.reject(error);
  }
  const outcome = await Promise.race([
    starting.then(
      (): _Started => ({ ok: true }),
      (error): _Started => ({ ok: false, error }),
    ),
    timedOut.then((error): _Started => ({ ok: false, error, gaveUp: "timeout" })),
    giveUp.then((error): _Started => ({ ok: false, error, gaveUp: "hold" })),
  ]);
  timer?.cancel();
  if (outcome.ok || outcome.gaveUp === undefined) return outcome;
  abort.abort(outcome.error);
  if (m.state === "stopping") {
    m.steps.recordOutside(
      `${name} (start)`,
      outcome.gaveUp === "timeout" ? "timed-out" : "cut",
      startMs,
      {
        detail: outcome.gaveUp === "timeout"
          ? `start() ran past its startTimeoutMs (${limitMs} ms); the services started before it are stopped`
          : "start() still ran when the start-up hold's budget ran out; the services started before it are stopped",
      },
    );
  }
  return outcome;
}

/**
 * Settles with the reason once a pending shutdown has held for the start-up
 * this long: a scope's default budget (the deadline less the hooks' reserve),
 * counted from the request.
 */
function _holdBudget(m: _StateMachine): { promise: Promise<ShutdownError>; cancel(): void } {
  let timer: _Timer | undefined;
  let resolve!: (error: ShutdownError) => void;
  const promise = new Promise<ShutdownError>((done) => resolve = done);
  const arm = (): void => {
    const cause: ShutdownCause | undefined = m.facts.cause;
    const budgetMs = m.scopeBudget();
    const leftMs = m.facts.startedMs + budgetMs - m.rt.now();
    timer = _setTimer(m.rt, () => {
      resolve(
        new ShutdownError(`the start-up held the shutdown for its ${budgetMs} ms budget`, {
          kind: "budget",
          cause,
        }),
      );
    }, Math.max(0, leftMs));
  };
  const signal = m.abort.signal;
  if (signal.aborted) arm();
  else signal.addEventListener("abort", arm, { once: true });
  return {
    promise,
    cancel: () => {
      signal.removeEventListener("abort", arm);
      timer?.cancel();
    },
  };
}
