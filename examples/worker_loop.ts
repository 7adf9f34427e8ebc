// "Configure in the main thread, protect in the thread", on Deno, Bun or Node:
//
//   node examples/worker_loop.ts          (node:worker_threads; also on Deno and Bun)
//   bun examples/worker_loop.ts web       (a Web Worker; also on Deno)
//   deno run --allow-read examples/worker_loop.ts web
//
// A thread runs a loop that calls `breakpoint()` each iteration. Press Ctrl-C:
// the process waits for the current iteration, the thread's cleanup hook
// runs, then the process ends by SIGINT, as it would without the library.
import process from "node:process";
import { attach, shutdown } from "../mod.ts";

const kind = process.argv[2] ?? "threads";
const url = new URL("./_worker_loop_thread.ts", import.meta.url);
const worker = kind === "web"
  ? new Worker(url, { type: "module" })
  : new (await import("node:worker_threads")).Worker(url);
attach(worker, { name: "loop thread" });

shutdown.done.then((report) => {
  const steps = report.steps.map((step) => `${step.name}: ${step.outcome}`).join(", ");
  console.log(`main: ${steps}; ending by ${JSON.stringify(report.exit)}`);
});
console.log(`main: started a ${kind} worker; press Ctrl-C to stop`);
