// Only one controller may listen to a process at a time. The claim lives on
// globalThis under a registered symbol, so two copies of the library loaded
// in one process still see each other.

import type { RuntimeAdapter } from "./runtime/types.ts";

const _KEY = Symbol.for("@graceful/shutdown/listening");

type _Home = { [_KEY]?: object };

function _home(runtime: RuntimeAdapter): _Home {
  return (runtime.processWide ? globalThis : runtime) as _Home;
}

/** Claims the runtime for `owner`, or throws when another controller holds it. */
export function _acquireSlot(runtime: RuntimeAdapter, owner: object): void {
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
}

/** Gives the claim up, if `owner` holds it. */
export function _releaseSlot(runtime: RuntimeAdapter, owner: object): void {
  const home = _home(runtime);
  if (home[_KEY] === owner) delete home[_KEY];
}
