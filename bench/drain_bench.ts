/**
 * Drain benchmark: constant keep-alive load from autocannon, SIGTERM in the
 * middle, for each runtime and server kind, with the library's drain() and
 * without it. Run from the project root with Node >= 22.18 (it drives the
 * servers on Deno, Bun and Node as child processes):
 *
 *   node bench/drain_bench.ts [--runs N] [--out bench/RESULTS_drain.md]
 *
 * Per run: 8 keep-alive connections for 2 s, each request taking 0-20 ms on
 * the server; SIGTERM after 1 s. Columns:
 *   lost   requests the server began handling that never reached the client
 *          complete (the server's count minus autocannon's responses); goal 0
 *   gone   ms from SIGTERM until the process is gone; goal <= 20 + 50 ms
 *   served requests answered in the whole run
 * Each cell is the worst of `--runs` runs (default 3); the spread is printed.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import autocannon from "autocannon";
import { spawnServer } from "./_spawn_server.ts";
import { flag, machineLine, serverRuntimes } from "./_drain_common.ts";

const runs = Number(flag("--runs", "3"));
const out = flag("--out", "bench/RESULTS_drain.md");
const runtimes = serverRuntimes;
const cases: [string, string, string][] = [
  ["deno", "deno", "library"],
  ["deno", "deno", "naive"],
  ["deno", "node", "library"],
  ["deno", "node", "naive"],
  ["bun", "bun", "library"],
  ["bun", "bun", "naive"],
  ["bun", "node", "library"],
  ["bun", "node", "naive"],
  ["node", "node", "library"],
  ["node", "node", "naive"],
  ["node", "node", "http-terminator"],
  ["node", "node", "terminus"],
];

interface Run {
  lost: number;
  goneMs: number;
  served: number;
  begun: number;
}

async function once(runtime: string, kind: string, mode: string): Promise<Run> {
  const [command, args] = runtimes[runtime];
  const { child, port, output } = await spawnServer(command, [
    ...args,
    "bench/_drain_server.ts",
    kind,
    mode,
  ]);
  const gone = new Promise<number>((resolve) =>
    child.once("exit", () => resolve(performance.now()))
  );
  const load = autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: 8,
    duration: 2,
    pipelining: 1,
    timeout: 5,
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const sent = performance.now();
  child.kill("SIGTERM");
  const goneMs = (await gone) - sent;
  const result = await load;
  const begun = Number(output().match(/begun (\d+)/)?.[1] ?? NaN);
  const served = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  return { lost: begun - served, goneMs, served, begun };
}

const rows: string[] = [];
const header = "| runtime | server | shutdown | lost (goal 0) | gone ms (goal <= 70) | served |";
console.log(header);
for (const [runtime, kind, mode] of cases) {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(runtime, kind, mode));
  const lost = results.map((r) => r.lost);
  const gone = results.map((r) => Math.round(r.goneMs));
  const served = results.map((r) => r.served);
  const label = kind === "node" ? "node:http" : `${kind === "deno" ? "Deno" : "Bun"}.serve`;
  const row = `| ${runtime} | ${label} | ${mode} | ${Math.max(...lost)} (${lost.join(", ")}) | ` +
    `${Math.max(...gone)} (${gone.join(", ")}) | ${Math.min(...served)} |`;
  rows.push(row);
  console.log(row);
}
const table = [header, "|---|---|---|---|---|---|", ...rows].join("\n");
const machine = machineLine("http-terminator and @godaddy/terminus from npm");
writeFileSync(
  out,
  `# Drain benchmark\n\n` +
    `\`node bench/drain_bench.ts --runs ${runs}\` on ${new Date().toISOString().slice(0, 10)}. ` +
    `Machine: ${machine}.\n\n8 keep-alive connections (autocannon) for 2 s, requests taking ` +
    `0-20 ms, SIGTERM after 1 s. "lost": requests the server began but the client never got ` +
    `complete; "gone": ms from SIGTERM to the process gone. Worst of ${runs} runs, then each run.\n\n` +
    `${table}\n`,
);
console.log(`\nwritten to ${out}`);
