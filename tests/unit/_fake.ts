// The frame of almost every unit test: a controller on a fresh fake runtime,
// disposed whatever the test does, so no test leaves listeners behind.

import { ShutdownController, type ShutdownControllerOptions } from "../../mod.ts";
import { FakeRuntime, type FakeRuntimeOptions } from "../../testing.ts";

/** The controller's options without its runtime, plus how the fake runtime pretends. */
export type FakeControllerOptions =
  & Omit<ShutdownControllerOptions, "runtime">
  & FakeRuntimeOptions;

/** What a test body gets. */
export interface FakeFrame {
  readonly controller: ShutdownController;
  readonly runtime: FakeRuntime;
}

/** Runs `body` with a controller on a new `FakeRuntime`, then disposes the controller. */
export async function withController(
  options: FakeControllerOptions,
  body: (frame: FakeFrame) => void | Promise<void>,
): Promise<void> {
  const { os, terminal, ...controllerOptions } = options;
  const runtime = new FakeRuntime({ os, terminal });
  const controller = new ShutdownController({ runtime, ...controllerOptions });
  try {
    await body({ controller, runtime });
  } finally {
    controller[Symbol.dispose]();
  }
}
