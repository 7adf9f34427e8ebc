// Subscribing a controller to its runtime: only one controller may listen to
// a process at a time. The claim lives on globalThis under a registered
// symbol, so two copies of the library loaded in one process see each other.

import type {
  RuntimeAdapter,
  StopEventListener,
  StopSignal,
  Unsubscribe,
} from "./runtime_adapter.ts";

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
