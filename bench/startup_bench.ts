/**
 * Start-up cost, whole process: an empty program, a raw SIGTERM listener, the
 * library with one hook (`shutdown.onShutdown(() => {})`), and signal-exit
 * with one callback, run in rounds whose order alternates (forward, then
 * backward) so drift cancels. Per runtime it reports the median of the
 * per-round wall-time ratios against the empty program of the same round,
 * and the median peak RSS of each variant (wait4's ru_maxrss of the child).
 *
 * Runs under Bun, through `bench/all.sh` (bench/all.ts).
 *
 * Wall time is measured in the parent around `Bun.spawnSync`, so it includes
 * spawn and wait (about 0.5 ms here); that constant lowers every ratio
 * slightly alike. Peak RSS comes from a second run of each program under GNU
 * time (`%M`, wait4's ru_maxrss), see `_runOnce`.
 *
 * @module
 */

import { _bun } from "./_bun.ts";
import {
  type BenchRuntime,
  type Children,
  STARTUP_VARIANTS,
  type StartupVariant,
} from "./_children.ts";
import { median } from "./_stats.ts";

/** Figures of one runtime. */
export interface StartupResult {
  runtime: string;
  rounds: number;
  /** Median wall time per variant, ms. */
  ms: Record<StartupVariant, number>;
  /** Median of the per-round ratios variant / empty. */
  ratio: Record<StartupVariant, number>;
  /** Median peak RSS per variant, MiB. */
  rssMiB: Record<StartupVariant, number>;
}

interface _Run {
  ms: number;
  rssMiB: number;
}

// GNU time forks a small process of its own: a child that Bun spawns directly
// (vfork, sharing Bun's memory until exec) inherits Bun's peak RSS as its
// ru_maxrss floor, so every small program would read as big as the harness.
const _TIME = "/usr/bin/time";

function _spawn(argv: string[], cwd: string): string {
  const result = _bun().spawnSync(argv, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const stderr = new TextDecoder().decode(result.stderr).trim();
  if (result.exitCode !== 0) {
    throw new Error(`${argv.join(" ")} exited with ${result.exitCode}: ${stderr}`);
  }
  return stderr;
}

// Wall time, spawned directly; then peak RSS in a second run under GNU time.
function _runOnce(argv: string[], cwd: string): _Run {
  const start = performance.now();
  _spawn(argv, cwd);
  const ms = performance.now() - start;
  const kib = Number(_spawn([_TIME, "-f", "%M", ...argv], cwd).split("\n").at(-1));
  if (!Number.isFinite(kib)) throw new Error(`${_TIME} gave no peak RSS for ${argv.join(" ")}`);
  return { ms, rssMiB: kib / 1024 };
}

/** Runs the start-up rounds of one runtime (after one untimed round that warms caches). */
export function startupBench(
  runtime: BenchRuntime,
  children: Children,
  rounds: number,
): StartupResult {
  const files = children.startup[runtime.name];
  const run = (variant: StartupVariant) => _runOnce(runtime.argv(files[variant]), children.dir);
  for (const variant of STARTUP_VARIANTS) run(variant); // Deno's module cache, the page cache
  const runs: Record<StartupVariant, _Run[]> = {
    empty: [],
    raw: [],
    floor: [],
    lib: [],
    signalExit: [],
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? STARTUP_VARIANTS : [...STARTUP_VARIANTS].reverse();
    for (const variant of order) runs[variant].push(run(variant));
  }
  const per = <T>(fn: (variant: StartupVariant) => T) =>
    Object.fromEntries(STARTUP_VARIANTS.map((variant) => [variant, fn(variant)])) as Record<
      StartupVariant,
      T
    >;
  return {
    runtime: runtime.version,
    rounds,
    ms: per((variant) => median(runs[variant].map((run) => run.ms))),
    ratio: per((variant) =>
      median(runs[variant].map((run, round) => run.ms / runs.empty[round].ms))
    ),
    rssMiB: per((variant) => median(runs[variant].map((run) => run.rssMiB))),
  };
}
