/**
 * What wrapping a fetch handler with drainable() costs: hello-world
 * throughput with autocannon (keep-alive, 50 connections), for the bare
 * handler and the wrapped one, on Deno.serve and Bun.serve. Run from the
 * project root with Node >= 22.18:
 *
 *   node bench/drain_throughput.ts [--seconds N] [--runs N] [--only deno,bun] [--append FILE]
 *
 * Prints a table of requests per second and of the server's CPU time per
 * request (median of the runs; CPU time is steadier than throughput on a busy
 * machine); with --append, adds it as a section to FILE.
 *
 * @module
 */
import { appendFileSync, readFileSync } from "node:fs";
import autocannon from "autocannon";
import { spawnServer } from "./_spawn_server.ts";
import { flag } from "./_drain_common.ts";

const seconds = Number(flag("--seconds", "5"));
const runs = Number(flag("--runs", "3"));
const runtimes: Record<string, [string, string[]]> = {
  deno: ["node_modules/.bin/deno", ["run", "--allow-all", "--quiet", "--no-lock"]],
  bun: ["node_modules/.bin/bun", []],
};
const only = flag("--only", "");
const append = flag("--append", "");
const lines: string[] = [];
const print = (line: string): void => {
  lines.push(line);
  console.log(line);
};

/** CPU time (user + system) a process has used so far, in ms (Linux: /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

interface Run {
  perSecond: number;
  cpuUs: number;
}

async function once(kind: string, mode: string): Promise<Run> {
  const [command, args] = runtimes[kind];
  const { child, port } = await spawnServer(command, [
    ...args,
    "bench/_drain_hello.ts",
    kind,
    mode,
  ]);
  const url = `http://127.0.0.1:${port}/`;
  await autocannon({ url, connections: 50, duration: 1 }); // warm-up
  const cpuBefore = cpuMs(child.pid!);
  const result = await autocannon({ url, connections: 50, duration: seconds });
  const cpu = cpuMs(child.pid!) - cpuBefore;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await gone;
  return { perSecond: result.requests.average, cpuUs: (cpu * 1_000) / result.requests.total };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const modes = ["plain", "drainable", "stream-plain", "stream"];
print("| server | body | handler | req/s (median) | server CPU µs/request (median, each run) |");
print("|---|---|---|---|---|");
for (const kind of only === "" ? ["deno", "bun"] : only.split(",")) {
  // Modes take turns within each run, so a load change on the machine hits them alike.
  const results = new Map<string, Run[]>(modes.map((mode) => [mode, []]));
  for (let i = 0; i < runs; i++) {
    for (const mode of modes) results.get(mode)!.push(await once(kind, mode));
  }
  const label = `${kind === "deno" ? "Deno" : "Bun"}.serve`;
  for (const mode of modes) {
    const runs = results.get(mode)!;
    const body = mode.startsWith("stream") ? "stream" : "string";
    const handler = mode.endsWith("plain") ? "bare" : "drainable()";
    const rate = median(runs.map((run) => run.perSecond));
    const cpu = median(runs.map((run) => run.cpuUs));
    print(
      `| ${label} | ${body} | ${handler} | ${Math.round(rate)} | ${cpu.toFixed(1)} ` +
        `(${runs.map((run) => run.cpuUs.toFixed(1)).join(", ")}) |`,
    );
  }
}
if (append !== "") {
  appendFileSync(
    append,
    `\n## What drainable() costs\n\n\`node bench/drain_throughput.ts --seconds ${seconds} --runs ` +
      `${runs}\`: hello-world (\`"hello"\` as a string, or as a stream already complete), ` +
      `autocannon with 50 keep-alive connections for ${seconds} s per run, the bare handler ` +
      `against the same handler wrapped by drainable() and drained.\n\n${lines.join("\n")}\n`,
  );
}
