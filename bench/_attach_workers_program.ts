// The program of bench/attach_workers_bench.ts: N attached worker_threads
// workers, each starting slowly (a synchronous part, then the library loaded
// by `await import()`), each with a hook. Prints "ready", each worker's
// "hook I" (written by the worker), then the report as one JSON line.
import { Worker } from "node:worker_threads";
import { attach, shutdown } from "../mod.ts";

const n = Number((globalThis as { process?: { argv: string[] } }).process?.argv.at(-1) ?? 32);
const url = new URL("./_attach_workers_worker.ts", import.meta.url);
for (let i = 0; i < n; i++) {
  attach(new Worker(url, { workerData: i }), { name: `worker ${i}` });
}
shutdown.onReport((report) => {
  const steps = report.steps.map((step) => [step.name, step.outcome]);
  console.log(JSON.stringify({ steps, forced: report.forced }));
});
const alive = setInterval(() => {}, 1_000);
shutdown.signal.addEventListener("abort", () => clearInterval(alive));
console.log("ready");
