// The `controller` option of the integrations, checked: absent means the
// process-wide `shutdown`.

import type { ShutdownController } from "./shutdown_controller.ts";
import { shutdown } from "./shutdown.ts";
import { _show } from "./_validate.ts";

/** Checks an integration's `controller` option; undefined gives `shutdown`. */
export function _checkController(value: unknown): ShutdownController {
  if (value === undefined) return shutdown;
  const candidate = value as Partial<ShutdownController> | null;
  if (
    typeof candidate !== "object" || candidate === null ||
    typeof candidate.onShutdown !== "function" || !("done" in candidate)
  ) {
    throw new TypeError(`controller must be a ShutdownController, got ${_show(value)}`);
  }
  return value as ShutdownController;
}
