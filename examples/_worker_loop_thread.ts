// The thread of examples/worker_loop.ts: protected work, stopped between two
// iterations, never in the middle of one. It imports the same `shutdown` as
// any program: attach() in the main thread made it this worker's side.
import { writeSync } from "node:fs";
import { shutdown, ShutdownError } from "../mod.ts";

// Written straight to stdout: a worker's console output travels through the
// main thread, which may be gone by the time it arrives.
const say = (line: string) => void writeSync(1, `${line}\n`);

shutdown.onShutdown(() => say("thread: cleanup hook ran"), { name: "thread cleanup" });

const scope = shutdown.protect(undefined, { name: "loop" });
let iteration = 0;
try {
  for (;;) {
    scope.breakpoint(); // throws ShutdownError once the process is asked to stop
    iteration++;
    say(`thread: iteration ${iteration} starts`);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the protected work
    say(`thread: iteration ${iteration} ends`);
  }
} catch (error) {
  if (!(error instanceof ShutdownError)) throw error;
  say(`thread: stopped after iteration ${iteration}`);
} finally {
  scope[Symbol.dispose]();
}
