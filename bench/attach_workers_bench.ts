// Goal: 32 attached workers signalled while starting or idle: every worker
// hook runs; 0 steps reported `ok` for work that did not run. Spawns
// bench/_attach_workers_program.ts on each runtime, sends SIGTERM at 300 ms
// (workers still starting) and at 3 s (idle), and counts.
//
//   node bench/attach_workers_bench.ts [N]      (Node 22.6+ runs .ts; or bun, deno run -A)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const n = Number(process.argv[2] ?? 32);
const root = fileURLToPath(new URL("../", import.meta.url));
const program = fileURLToPath(new URL("./_attach_workers_program.ts", import.meta.url));
const runtimes: [string, string[]][] = [
  [`${root}node_modules/node24/bin/node`, ["--disable-warning=ExperimentalWarning"]],
  [`${root}node_modules/.bin/bun`, []],
  [`${root}node_modules/.bin/deno`, ["run", "-A", "--quiet"]],
];

interface Row {
  runtime: string;
  signalMs: number;
  hooks: number;
  ok: number;
  notOk: number;
  okLost: number;
  shutdownMs: number;
}

function run(command: string, args: string[], signalMs: number): Promise<Row> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args, program, String(n)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let sentAt = 0;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const first = out === "";
      out += chunk;
      if (first && out.startsWith("ready")) {
        setTimeout(() => {
          sentAt = performance.now();
          child.kill("SIGTERM");
        }, signalMs);
      }
    });
    child.stderr.resume();
    child.on("close", () => {
      const shutdownMs = performance.now() - sentAt;
      const lines = out.split("\n");
      const hooks = new Set(lines.filter((l) => l.startsWith("hook ")).map((l) => l.slice(5)));
      const json = lines.find((l) => l.startsWith("{"));
      const steps: [string, string][] = json ? JSON.parse(json).steps : [];
      const ok = steps.filter(([, outcome]) => outcome === "ok");
      const okLost = ok.filter(([name]) => !hooks.has(name.replace("worker ", ""))).length;
      resolve({
        runtime: command.split("/").at(-3) === "node_modules"
          ? command.split("/").at(-1)!
          : command.split("/").at(-3)!,
        signalMs,
        hooks: hooks.size,
        ok: ok.length,
        notOk: steps.length - ok.length,
        okLost,
        shutdownMs: Math.round(shutdownMs),
      });
    });
  });
}

console.log(
  `| runtime | SIGTERM at | worker hooks run | steps ok | steps not ok | ok but hook did not run | shutdown ms |`,
);
console.log(
  `| ------- | ---------- | ---------------- | -------- | ------------ | ----------------------- | ----------- |`,
);
for (const [command, args] of runtimes) {
  for (const signalMs of [300, 3_000]) {
    const r = await run(command, args, signalMs);
    console.log(
      `| ${r.runtime} | ${r.signalMs} ms | ${r.hooks}/${n} | ${r.ok} | ${r.notOk} | ${r.okLost} | ${r.shutdownMs} |`,
    );
  }
}
