// What each OS family decides about a shutdown (see `OsPolicy`). Shared by the
// real adapters and the fake one so they cannot drift apart.

import type { OsFamily, OsPolicy } from "./runtime_adapter.ts";

/** The largest delay a JavaScript timer honours: 2^31 − 1 ms (a signed 32-bit int). */
export const _MAX_TIMER_MS = 2_147_483_647;

const _POSIX: OsPolicy = {
  defaultBudgetMs: 89_500,
  canReraise: true,
  holdsConsoleEvents: false,
  holdMarginMs: 0,
};

const _WINDOWS: OsPolicy = {
  defaultBudgetMs: 4_500,
  canReraise: false,
  holdsConsoleEvents: true,
  // The default hold limit is then 4.75 s: still under Windows' 5 s.
  holdMarginMs: 250,
};

/** The policy of an OS family. */
export function _osPolicy(os: OsFamily): OsPolicy {
  return os === "windows" ? _WINDOWS : _POSIX;
}
