/**
 * Test helpers for code that uses `@graceful/shutdown`: a fake runtime with a
 * manual clock, so unit tests deliver "signals" without signals and never sleep.
 *
 * @example
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * const controller = new ShutdownController({ runtime });
 * controller.onShutdown(() => console.log("bye"));
 * runtime.deliver("SIGTERM");
 * await runtime.advance(0);
 * console.log(runtime.exits); // [{ signal: "SIGTERM" }]
 * ```
 *
 * @module
 */

export { FakeRuntime } from "./src/testing/fake_runtime.ts";
export type { FakeExit, FakeRuntimeOptions } from "./src/testing/fake_runtime_options.ts";
