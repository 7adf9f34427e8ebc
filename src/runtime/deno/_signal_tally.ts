// Deno cannot say how many listeners a signal has, and the library must know:
// a listener of the program's own (or another library's) would swallow a
// re-raised signal and run twice. So `Deno.addSignalListener` is wrapped,
// once per process, to count the listeners added through it from then on
// (Node's `process.on` in Deno goes through it too). The library adds its own
// through the original, so they are never counted.

type _SignalFn = (signal: Deno.Signal, handler: () => void) => void;

interface _Tally {
  readonly add: _SignalFn;
  readonly remove: _SignalFn;
  readonly listeners: Map<string, Set<() => void>>;
}

const _KEY = Symbol.for("@graceful/shutdown/deno-signal-tally");

/** The process's tally, made (and `Deno.addSignalListener` wrapped) on first call. */
export function _signalTally(): _Tally {
  const home = globalThis as { [_KEY]?: _Tally };
  const existing = home[_KEY];
  if (existing !== undefined) return existing;
  const add: _SignalFn = Deno.addSignalListener.bind(Deno);
  const remove: _SignalFn = Deno.removeSignalListener.bind(Deno);
  const listeners = new Map<string, Set<() => void>>();
  const tally: _Tally = { add, remove, listeners };
  try {
    Deno.addSignalListener = (signal, handler) => {
      add(signal, handler);
      let set = listeners.get(signal);
      if (set === undefined) listeners.set(signal, set = new Set());
      set.add(handler);
    };
    Deno.removeSignalListener = (signal, handler) => {
      remove(signal, handler);
      listeners.get(signal)?.delete(handler);
    };
  } catch {
    // A frozen `Deno`: nothing is counted; a re-raise falls back to 128 + n.
  }
  home[_KEY] = tally;
  return tally;
}

/** How many listeners other than the library's the signal has, as far as is known. */
export function _foreignListeners(tally: _Tally, signal: string): number {
  return tally.listeners.get(signal)?.size ?? 0;
}
