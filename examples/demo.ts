// A protected job that survives Ctrl-C / SIGTERM gracefully and says what
// happens. Run it, then press Ctrl-C once (graceful), or three times (forced).
// Left alone, it asks itself to stop after a few steps, to show the same path.
// Deno, Bun and Node alike: `npm run demo` (Deno), `demo:bun`, `demo:node`.
import process from "node:process";
import { shutdown, ShutdownError } from "../mod.ts";

const STEPS = 12;
const STEP_MS = 600;
const t0 = performance.now();
const say = (text: string) =>
  console.log(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${text}`);

shutdown.onShutdown(async () => {
  say("hook 'flush': writing the last results…");
  await new Promise((resolve) => setTimeout(resolve, 300));
  say("hook 'flush': done");
}, { name: "flush" });
shutdown.onShutdown(() => say("hook 'close': closing connections"), { name: "close" });
shutdown.signal.addEventListener("abort", () => {
  say(`${(shutdown.signal.reason as Error).message}: the current step may finish`);
});
shutdown.done.then((report) => {
  const steps = report.steps.map((step) => `${step.name}: ${step.outcome}`).join(", ");
  say(`report: ${steps}; forced: ${report.forced}; next: ${JSON.stringify(report.exit)}`);
});

say(`pid ${process.pid}: press Ctrl-C (or: kill -TERM ${process.pid}) while the job runs`);
const scope = shutdown.protect();
try {
  for (let step = 1; step <= STEPS; step++) {
    scope.breakpoint(); // throws ShutdownError once a stop was requested
    say(`step ${step}/${STEPS}: working (cannot be interrupted)…`);
    await new Promise((resolve) => setTimeout(resolve, STEP_MS));
    say(`step ${step}/${STEPS}: committed`);
    if (step === 4 && !shutdown.requested) {
      say("nobody pressed Ctrl-C: sending SIGINT to myself, as Ctrl-C would");
      process.kill(process.pid, "SIGINT");
    }
  }
} catch (error) {
  if (!(error instanceof ShutdownError)) throw error;
  say("left the job at a breakpoint: no step was cut in half");
} finally {
  scope[Symbol.dispose]();
}
