// The core never imports an adapter: the entry point (`mod.ts`) registers how
// to find the running one, and a controller without a `runtime` option asks
// here, lazily, on first use.

import type { RuntimeAdapter } from "./runtime_adapter.ts";

let _factory: (() => RuntimeAdapter) | undefined;
let _cached: RuntimeAdapter | undefined;

/** Registers how the default runtime is found; called once by the entry point. */
export function _setRuntimeFactory(factory: () => RuntimeAdapter): void {
  _factory = factory;
}

/** The running runtime's adapter, made on first call. */
export function _defaultRuntime(): RuntimeAdapter {
  if (_cached !== undefined) return _cached;
  if (_factory === undefined) {
    throw new Error(
      "no runtime adapter: import the library from its entry point, or pass `runtime`",
    );
  }
  return _cached = _factory();
}
