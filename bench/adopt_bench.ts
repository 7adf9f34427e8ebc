/**
 * adopt() at scale, on every runtime (run it with any of them, e.g.
 * `node_modules/node24/bin/node bench/adopt_bench.ts [runtimes…]`):
 * - stop: 50 adopted children that each need 300 ms after SIGTERM; the time
 *   from SIGTERM to the parent's end, against one child alone (the baseline,
 *   same run), and the processes left.
 * - reap: 10 000 children spawned, adopted and reaped (8 at a time), and
 *   1 000 node:worker_threads workers attached and ended (4 at a time); heap
 *   after GC at the end against the start (after a warm-up of 200).
 * - endings: signal, 3rd signal (force), crash, exit(), deadline, watchdog;
 *   processes left (children, grandchildren in a detached child's group).
 *
 * @module
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const program = join(root, "bench", "_adopt_program.ts");
const dir = mkdtempSync(join(tmpdir(), "adopt-bench-"));

function argv(runtime: string): string[] {
  const bin = (p: string) => join(root, "node_modules", p);
  if (runtime === "deno") {
    return [bin(".bin/deno"), "run", "-A", "--quiet", "--v8-flags=--expose-gc", program];
  }
  if (runtime === "bun") return [bin(".bin/bun"), program];
  return [
    bin(`${runtime}/bin/node`),
    "--expose-gc",
    "--disable-warning=ExperimentalWarning",
    program,
  ];
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.charAt(stat.lastIndexOf(")") + 2);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

interface Ran {
  out: string;
  ms: number;
  left: number;
  status: string;
}

/** Runs the program; `act` once it printed "ready"; counts the noted pids left. */
function run(runtime: string, args: string[], act: (pid: number) => void): Promise<Ran> {
  const file = join(dir, `${runtime}-${args.join("-")}-${Date.now()}`);
  const [cmd, ...rest] = argv(runtime);
  const child = spawn(cmd, [...rest, args[0], file, ...args.slice(1)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  let signalledAt = 0;
  child.stdout!.on("data", (chunk) => {
    out += chunk;
    if (signalledAt === 0 && out.includes("ready")) {
      signalledAt = performance.now();
      act(child.pid!);
    }
  });
  return new Promise((resolve) => {
    child.on("close", async (code, signal) => {
      const ms = performance.now() - signalledAt;
      await new Promise((r) => setTimeout(r, 300));
      let pids: number[] = [];
      try {
        pids = readFileSync(file, "utf8").trim().split("\n").map(Number);
      } catch { /* none noted */ }
      const left = pids.filter(alive);
      for (const pid of left) process.kill(pid, "SIGKILL");
      resolve({ out, ms, left: left.length, status: signal ?? String(code) });
    });
  });
}

const runtimes = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : ["deno", "bun", "node22", "node24", "node26"];
const term = (pid: number) => process.kill(pid, "SIGTERM");

console.log(
  "| runtime | 1 child ms | 50 children ms | ratio | left | reap 10 000: heap start → end MiB | Δ MiB | 1 000 workers Δ MiB | endings: left (signal, force, crash, exit, deadline, watchdog) |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
for (const runtime of runtimes) {
  const one = await run(runtime, ["stop", "1"], term);
  const fifty = await run(runtime, ["stop", "50"], term);
  const reap = await run(runtime, ["reap", "10000", "8"], () => {});
  const { before, after } = JSON.parse(reap.out.trim().split("\n").pop()!);
  const reapw = await run(runtime, ["reapw", "1000", "4"], () => {});
  const workers = JSON.parse(reapw.out.trim().split("\n").pop()!);
  const endings: string[] = [];
  for (const ending of ["signal", "force", "crash", "exit", "deadline", "watchdog"]) {
    const ran = await run(runtime, ["end", ending], (pid) => {
      if (ending === "crash" || ending === "exit") return; // they end on their own
      term(pid);
      if (ending === "force") {
        setTimeout(() => term(pid), 50);
        setTimeout(() => term(pid), 100);
      }
    });
    endings.push(`${ran.left} (${ran.status}, ${(ran.ms / 1000).toFixed(1)} s)`);
  }
  const mib = (bytes: number) => (bytes / 1048576).toFixed(2);
  console.log(
    `| ${runtime} | ${one.ms.toFixed(0)} | ${fifty.ms.toFixed(0)} | ${
      (fifty.ms / one.ms).toFixed(2)
    }× | ${fifty.left} | ${mib(before)} → ${mib(after)} | ${
      ((after - before) / 1048576).toFixed(2)
    } | ${((workers.after - workers.before) / 1048576).toFixed(2)} | ${endings.join(", ")} |`,
  );
}
