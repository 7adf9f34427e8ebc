// The program bench/adopt_bench.ts runs on each runtime (first argument: what
// it does; the second: a file the children note their pids in):
//   stop <n>         n detached sh children that take 300 ms to stop on SIGTERM
//   reap <n> <k>     n short-lived children adopted and reaped, k at a time;
//                    prints the heap (after GC) at the start and the end
//   reapw <n> <k>    the same with node:worker_threads workers and attach()
//   end <ending>     three children (one polite and one ignoring SIGTERM in
//                    the parent's group, one detached leading a group with a
//                    grandchild), then one way to end: signal, force, crash,
//                    exit, deadline, watchdog
import { spawn } from "node:child_process";
import process from "node:process";
import { Worker } from "node:worker_threads";
import { adopt, attach, shutdown, ShutdownController, watchdog } from "../mod.ts";

const [what, file, arg = "0", arg2 = "1"] = process.argv.slice(2);
const POLITE = `echo "$$" >> "$0"
trap 'sleep 0.3; exit 0' TERM
while :; do sleep 0.05; done`;
const STUBBORN = `trap '' TERM; echo "$$" >> "$0"; while :; do sleep 0.05; done`;
const LEADER = `sleep 60 & echo "$!" >> "$0"; echo "$$" >> "$0"; wait`;
const sh = (script: string, detached: boolean) =>
  spawn("sh", ["-c", script, file], { stdio: "ignore", detached });

function heap(): number {
  const g = globalThis as unknown as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  for (let n = 0; n < 3; n++) g.Bun ? g.Bun.gc(true) : g.gc?.();
  return process.memoryUsage().heapUsed;
}

if (what === "stop") {
  for (let n = 0; n < Number(arg); n++) adopt(sh(POLITE, true), { detached: true });
  setInterval(() => {}, 1_000).unref?.();
  const keep = setInterval(() => {}, 1_000);
  shutdown.signal.addEventListener("abort", () => clearInterval(keep));
  console.log("ready");
} else if (what === "reap" || what === "reapw") {
  const total = Number(arg);
  const atOnce = Number(arg2);
  const one = (): Promise<void> => {
    if (what === "reapw") {
      const worker = new Worker("", { eval: true });
      attach(worker);
      return new Promise((resolve) => worker.on("exit", () => resolve()));
    }
    const child = spawn("true", [], { stdio: "ignore" });
    adopt(child);
    return new Promise((resolve) => child.on("exit", () => resolve()));
  };
  const batch = async (count: number) => {
    for (let done = 0; done < count; done += atOnce) {
      await Promise.all(Array.from({ length: Math.min(atOnce, count - done) }, one));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await batch(200); // warm-up: the child code loaded, the JIT settled
  const before = heap();
  const started = performance.now();
  await batch(total);
  const ms = performance.now() - started;
  const after = heap();
  console.log(JSON.stringify({ before, after, ms }));
} else if (what === "end") {
  const ending = arg;
  const controller = ending === "deadline" || ending === "watchdog"
    ? new ShutdownController({ budgetMs: 1_000 })
    : shutdown;
  if (ending === "watchdog") await watchdog({ controller }).ready;
  adopt(sh(POLITE, false), { controller });
  // Killed at 1 s, except where the deadline or the watchdog is what ends it.
  const timeoutMs = ending === "deadline" || ending === "watchdog" ? undefined : 1_000;
  adopt(sh(STUBBORN, false), timeoutMs === undefined ? { controller } : { controller, timeoutMs });
  adopt(sh(LEADER, true), { controller, detached: true });
  if (ending === "watchdog") {
    controller.onShutdown(() => {
      for (;;) { /* stuck */ }
    });
  }
  const keep = setInterval(() => {}, 1_000);
  controller.signal.addEventListener("abort", () => clearInterval(keep));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the children noted their pids
  console.log("ready");
  if (ending === "crash") {
    setTimeout(() => {
      throw new Error("crash on purpose");
    }, 0);
  }
  if (ending === "exit") process.exit(3);
}
