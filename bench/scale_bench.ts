// Scale: 100 000 scopes and hooks. Prints one line of JSON: how long
// `request()` takes with N open scopes and what memory it adds, how long
// closing them in opening order takes, and unregistering N hooks in
// registration order. Runs on the real runtime's clock and timers; only the
// process-ending parts of the adapter are stubbed out.
//
//   deno run -A bench/scale_bench.ts [N]   bun bench/scale_bench.ts [N]   node bench/scale_bench.ts [N]
import { ShutdownController } from "../mod.ts";
import { detectRuntime, type RuntimeAdapter } from "../runtime.ts";

const n = Number(
  (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
    (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 100_000,
);

function rssMiB(): number {
  const proc = (globalThis as { process?: { memoryUsage(): { rss: number } } }).process;
  return proc!.memoryUsage().rss / 2 ** 20;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The real clock and timers; no listening, no exit. */
function quietRuntime(): RuntimeAdapter {
  const real = detectRuntime();
  return {
    ...real,
    name: "bench",
    processWide: false,
    addStopListener: () => () => {},
    onNaturalEnd: () => () => {},
    onUncaught: () => () => {},
    onExit: () => () => {},
    exit: () => {},
    dieBy: () => {},
    writeStderr: () => {},
  };
}

// request() with n open scopes, then closing them in opening order.
const scopesController = new ShutdownController({
  runtime: quietRuntime(),
  budgetMs: 60_000,
  log: () => {},
});
const scopes = Array.from({ length: n }, () => scopesController.protect());
gc();
const rssBefore = rssMiB();
let t = performance.now();
scopesController.request("bench");
const requestMs = performance.now() - t;
const requestMiB = rssMiB() - rssBefore;
t = performance.now();
for (const scope of scopes) scope[Symbol.dispose]();
const closeMs = performance.now() - t;

// n hooks registered, then unregistered in registration order.
const hooksController = new ShutdownController({ runtime: quietRuntime(), log: () => {} });
const registrations = Array.from({ length: n }, () => hooksController.onShutdown(() => {}));
t = performance.now();
for (const registration of registrations) registration[Symbol.dispose]();
const unregisterMs = performance.now() - t;
hooksController[Symbol.dispose]();

console.log(JSON.stringify({
  n,
  requestMs: Math.round(requestMs * 10) / 10,
  requestMiB: Math.round(requestMiB * 10) / 10,
  closeMs: Math.round(closeMs * 10) / 10,
  unregisterMs: Math.round(unregisterMs * 10) / 10,
}));
await scopesController.done;
