// A worker of bench/_attach_workers_program.ts: (i % 4) × 150 ms of
// synchronous start-up, then the library, a hook, and idle.
import { writeSync } from "node:fs";
import { workerData } from "node:worker_threads";

const i = workerData as number;
const until = Date.now() + (i % 4) * 150;
while (Date.now() < until) { /* a slow synchronous dependency */ }
const { shutdown } = await import("../mod.ts");
shutdown.onShutdown(() => void writeSync(1, `hook ${i}\n`));
const alive = setInterval(() => {}, 1_000);
shutdown.signal.addEventListener("abort", () => clearInterval(alive));
