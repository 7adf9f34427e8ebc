/**
 * Every benchmark of the library in one run, per runtime, as ratios against
 * baselines measured in the same run: start-up (`startup_bench.ts`), the
 * signal path (`signal_bench.ts`) and the breakpoint/scope row
 * (`breakpoint_bench.ts`). Runs under Bun; `bench/all.sh` is the command:
 *
 *   bench/all.sh [--write] [--lib DIR] [--rounds N] [--trials N]
 *                [--no-breakpoint] [runtimes...]
 *
 *   runtimes         deno bun node24 (default) node22 node26; or --all-node
 *   --write          also write bench/RESULTS.md
 *   --lib DIR        measure the library in DIR (mod.ts, src/, testing.ts;
 *                    deno.json optional), e.g. another commit:
 *                    git archive REV mod.ts testing.ts src deno.json | tar -x -C DIR
 *   --rounds N       start-up rounds per runtime (default 20; each runs 4 programs)
 *   --trials N       signal-path trials per variant (default 30)
 *
 * Node runs the JavaScript that tools/build_npm.mjs builds from the library
 * (as JSR's npm layer gives it); Deno and Bun run the TypeScript source.
 *
 * @module
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { _bun } from "./_bun.ts";
import { type BenchRuntime, KNOWN_RUNTIMES, runtimesFor, writeChildren } from "./_children.ts";
import { startupBench, type StartupResult } from "./startup_bench.ts";
import { signalBench, type SignalResult } from "./signal_bench.ts";
import { renderMarkdown, type RunInfo } from "./_report.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface _Options {
  write: boolean;
  lib?: string;
  rounds: number;
  trials: number;
  breakpoint: boolean;
  runtimes: string[];
}

function _parse(args: string[]): _Options {
  const options: _Options = {
    write: false,
    rounds: 20,
    trials: 30,
    breakpoint: true,
    runtimes: [],
  };
  const count = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new RangeError(`${flag} must be >= ${min}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--write") options.write = true;
    else if (arg === "--lib") options.lib = resolve(args[++i] ?? "");
    else if (arg === "--rounds") options.rounds = count(arg, args[++i], 1);
    else if (arg === "--trials") options.trials = count(arg, args[++i], 1);
    else if (arg === "--no-breakpoint") options.breakpoint = false;
    else if (arg === "--all-node") {
      options.runtimes.push("deno", "bun", "node24", "node22", "node26");
    } else if ((KNOWN_RUNTIMES as readonly string[]).includes(arg)) options.runtimes.push(arg);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; see bench/all.ts`);
  }
  if (options.runtimes.length === 0) options.runtimes = ["deno", "bun", "node24"];
  options.runtimes = [...new Set(options.runtimes)];
  return options;
}

function _sh(argv: string[], cwd = root): string {
  const result = _bun().spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  const out = new TextDecoder().decode(result.stdout).trim();
  if (result.exitCode !== 0) {
    throw new Error(
      `${argv.join(" ")} failed: ${new TextDecoder().decode(result.stderr).trim() || out}`,
    );
  }
  return out;
}

function _describeLib(libDir: string): string {
  try {
    const rev = _sh(["git", "-C", libDir, "rev-parse", "--short", "HEAD"]);
    const dirty = _sh(["git", "-C", libDir, "status", "--porcelain", "--", "mod.ts", "src"]);
    const top = _sh(["git", "-C", libDir, "rev-parse", "--show-toplevel"]);
    if (resolve(top) === resolve(libDir)) return `${rev}${dirty === "" ? "" : " + changes"}`;
  } catch {
    // not a checkout: an extracted tree
  }
  return libDir;
}

// bench/breakpoint_bench.ts --row, as bench/run.sh runs it.
async function _breakpointRow(runtime: BenchRuntime, lib: string | undefined): Promise<string> {
  const bench = "bench/breakpoint_bench.ts";
  const m = join(root, "node_modules");
  const argv = runtime.name === "deno"
    ? [
      `${m}/.bin/deno`,
      "run",
      "--node-modules-dir=manual",
      "--no-lock",
      "--allow-read",
      "--v8-flags=--expose-gc",
      bench,
    ]
    : runtime.name === "bun"
    ? [`${m}/.bin/bun`, bench]
    : [
      `${m}/${runtime.name}/bin/node`,
      "--expose-gc",
      "--disable-warning=ExperimentalWarning",
      bench,
    ];
  argv.push("--row", ...(lib === undefined ? [] : ["--lib", lib]));
  const child = _bun().spawn(argv, { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  if (child.exitCode !== 0) {
    return `${runtime.version}: failed (${err.trim().split("\n").slice(-3).join(" / ")})`;
  }
  return out.trim();
}

async function main(): Promise<number> {
  const options = _parse(process.argv.slice(2));
  const started = performance.now();
  const log = (text: string) =>
    process.stderr.write(`[${((performance.now() - started) / 1e3).toFixed(0)} s] ${text}\n`);
  const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
  const loadAtStart = loadAverage();
  const libDir = options.lib ?? root;
  if (!existsSync(join(libDir, "mod.ts"))) throw new Error(`no mod.ts in ${libDir}`);

  // The npm build for Node: this checkout into build/npm, another tree into a temporary dir.
  const scratch = mkdtempSync(join(tmpdir(), "graceful-bench-npm-"));
  const npmDir = options.lib === undefined ? join(root, "build", "npm") : join(scratch, "npm");
  log(`building the npm JavaScript of ${libDir}`);
  _sh([
    join(root, "node_modules/node24/bin/node"),
    join(root, "tools/build_npm.mjs"),
    "--src",
    libDir,
    "--out",
    npmDir,
    "--quiet",
  ]);

  const runtimes = runtimesFor(options.runtimes, { root, libDir, npmDir });
  const signalExit = join(root, "node_modules/signal-exit/dist/mjs/index.js");
  const children = writeChildren(runtimes, signalExit);
  const startup: StartupResult[] = [];
  const signal: SignalResult[] = [];
  const breakpoint: string[] = [];
  try {
    for (const runtime of runtimes) {
      log(`${runtime.version}: start-up, ${options.rounds} rounds`);
      startup.push(startupBench(runtime, children, options.rounds));
      log(`${runtime.version}: signal path, ${options.trials} trials per variant`);
      signal.push(await signalBench(runtime, children, { trials: options.trials }));
      if (options.breakpoint) {
        log(`${runtime.version}: breakpoint row`);
        breakpoint.push(await _breakpointRow(runtime, options.lib));
      }
    }
  } finally {
    rmSync(children.dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }

  const info: RunInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: _sh(["nproc"]),
    cpu: /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?",
    kernel: _sh(["uname", "-sr"]),
    harness: `bun ${_bun().version}`,
    library: _describeLib(libDir),
    command: `bench/all.sh ${process.argv.slice(2).join(" ")}`.trim(),
    seconds: Math.round((performance.now() - started) / 1e3),
    load: [loadAtStart, loadAverage()],
  };
  const markdown = renderMarkdown(info, startup, signal, breakpoint);
  console.log(markdown);
  if (options.write) {
    // Sections written by other benchmarks (scale, torture) are kept.
    const file = join(root, "bench/RESULTS.md");
    const old = existsSync(file) ? readFileSync(file, "utf8") : "";
    const kept = old.indexOf("\n## Scale");
    writeFileSync(file, kept < 0 ? markdown : markdown.trimEnd() + "\n" + old.slice(kept));
    // The suite runs `deno fmt --check` over the whole tree.
    _sh([join(root, "node_modules/.bin/deno"), "fmt", "--quiet", "bench/RESULTS.md"]);
    log("wrote bench/RESULTS.md");
  }
  return 0;
}

process.exitCode = await main();
