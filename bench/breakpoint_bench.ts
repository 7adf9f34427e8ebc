/**
 * Micro-benchmarks for the two hot paths of protection scopes, on Deno, Bun
 * and Node alike:
 *
 * 1. `scope.breakpoint()` while nothing is pending, on a scope of a controller
 *    built with a `FakeRuntime` (no signal listeners) and of one built with
 *    the real runtime, against a bare `if (flag) throw` and against
 *    `AbortSignal.prototype.throwIfAborted()` on a signal that is not aborted.
 *    Goal: breakpoint <= 1.5x the bare check.
 * 2. Scopes opened and closed per second (`protect()` then
 *    `[Symbol.dispose]()`). Goal: >= 5 million per second.
 *
 * Run it from the project root:
 *
 *   deno run --node-modules-dir=manual --no-lock --allow-read bench/breakpoint_bench.ts
 *   bun bench/breakpoint_bench.ts
 *   node bench/breakpoint_bench.ts            (Node 22.18+: type stripping)
 *
 * or on every runtime at once with `bench/run.sh`. Options:
 *
 *   --lib DIR   benchmark the library in DIR (holding mod.ts and testing.ts)
 *               instead of this checkout, e.g. an older commit extracted with
 *               `git archive REV mod.ts testing.ts src | tar -x -C DIR`
 *   --row       print one table row (used by bench/run.sh)
 *
 * Written without `using` (Node 22 lacks it) and with `.ts` import paths.
 *
 * How the numbers are kept honest:
 *
 * - Each benchmark goes through mitata's `measure()` with its own
 *   `min_samples`, so each gets a measuring loop of its own. With mitata's
 *   `bench()` + `run()` every benchmark shares one loop source, and Bun and
 *   Deno then share the loop's call site too: it turns polymorphic after three
 *   or four benchmarks and every later one gets 4-7 ns slower, whatever it
 *   measures.
 * - The checks are measured on 8 subjects in turn, so every call really loads
 *   and tests its flag, and again on one subject, where a JIT may hoist the
 *   loop-invariant load out of mitata's unrolled loop.
 * - Nothing pending may be a constant: a decoy controller goes through a whole
 *   shutdown first, and the bare flag is written more than once.
 * - The scope benchmarks hand each scope to `do_not_optimize`.
 *
 * @module
 */

import { do_not_optimize, measure } from "mitata";
import type { ProtectionScope, ShutdownController as Controller } from "../mod.ts";

type Lib = typeof import("../mod.ts");
type Testing = typeof import("../testing.ts");
type Stats = Awaited<ReturnType<typeof measure>>;

const host = globalThis as unknown as {
  Deno?: { args: string[]; cwd(): string; version: { deno: string } };
  Bun?: { version: string };
  process?: { argv: string[]; cwd(): string; versions: { node?: string } };
};
const args = host.Deno?.args ?? host.process?.argv.slice(2) ?? [];
const cwd = host.Deno?.cwd() ?? host.process?.cwd() ?? ".";
const runtime = host.Deno !== undefined
  ? `deno ${host.Deno.version.deno}`
  : host.Bun !== undefined
  ? `bun ${host.Bun.version}`
  : `node ${host.process?.versions.node}`;

const libIndex = args.indexOf("--lib");
const libUrl = libIndex === -1
  ? new URL("../", import.meta.url)
  : new URL(args[libIndex + 1].replace(/\/?$/, "/"), `file://${cwd}/`);
const rowMode = args.includes("--row");

const { ShutdownController }: Lib = await import(new URL("mod.ts", libUrl).href);
const { FakeRuntime }: Testing = await import(new URL("testing.ts", libUrl).href);

// --- subjects --------------------------------------------------------------

const N = 8;
let at = 0;
const next = (): number => (at = (at + 1) & (N - 1));

interface Flag {
  pending: boolean;
}
const flagError = new Error("pending");
function bareCheck(flag: Flag): void {
  if (flag.pending) throw flagError;
}
const flags: Flag[] = Array.from({ length: N }, () => ({ pending: false }));
const signals: AbortSignal[] = Array.from({ length: N }, () => new AbortController().signal);
const flag0 = flags[0];
const signal0 = signals[0];

// The decoy: every field a breakpoint reads has also been seen holding
// "pending", and the throwing path of every subject has run once.
const decoyRuntime = new FakeRuntime();
const decoy = new ShutdownController({ runtime: decoyRuntime, log: () => {} });
const decoyScope = decoy.protect(0);
void decoyRuntime.deliver("SIGTERM");
expectThrow(() => decoyScope.breakpoint());
decoyScope[Symbol.dispose]();
await decoyRuntime.advance(0);
const decoyFlag: Flag = { pending: false };
decoyFlag.pending = true;
expectThrow(() => bareCheck(decoyFlag));
const decoyAbort = new AbortController();
decoyAbort.abort(new Error("decoy"));
expectThrow(() => decoyAbort.signal.throwIfAborted());

function expectThrow(fn: () => void): void {
  try {
    fn();
  } catch {
    return;
  }
  throw new Error("the decoy should have thrown");
}

// The subjects proper: nothing pending. The check benchmarks open their
// scopes only while they run, so the scope benchmarks start from controllers
// with no scope open.
const fake: Controller = new ShutdownController({ runtime: new FakeRuntime() });
const real: Controller = new ShutdownController(); // detects Deno, Bun or Node; listens
const open = (controller: Controller, count: number): ProtectionScope[] =>
  Array.from({ length: count }, () => controller.protect());
const close = (scopes: ProtectionScope[]): void => {
  for (const scope of scopes) scope[Symbol.dispose]();
};

// --- benchmarks ------------------------------------------------------------

// Every benchmark has its own closure, so no call site is shared between two.
// A generator opens its subjects before the yield and closes them after.
const BENCHMARKS = {
  bare: ["bare if (flag) throw", () => bareCheck(flags[next()])],
  throwIfAborted: ["signal.throwIfAborted()", () => signals[next()].throwIfAborted()],
  bpFake: ["breakpoint() fake runtime", function* () {
    const scopes = open(fake, N);
    yield () => scopes[next()].breakpoint();
    close(scopes);
  }],
  bpReal: ["breakpoint() real runtime", function* () {
    const scopes = open(real, N);
    yield () => scopes[next()].breakpoint();
    close(scopes);
  }],
  bare1: ["bare if (flag) throw, 1 subject", () => bareCheck(flag0)],
  throwIfAborted1: ["signal.throwIfAborted(), 1 subject", () => signal0.throwIfAborted()],
  bpFake1: ["breakpoint() fake runtime, 1 subject", function* () {
    const scope = fake.protect();
    yield () => scope.breakpoint();
    scope[Symbol.dispose]();
  }],
  bpReal1: ["breakpoint() real runtime, 1 subject", function* () {
    const scope = real.protect();
    yield () => scope.breakpoint();
    scope[Symbol.dispose]();
  }],
  scopeFake: ["protect()+dispose fake runtime", () => {
    const scope = fake.protect();
    scope[Symbol.dispose]();
    do_not_optimize(scope);
  }],
  scopeReal: ["protect()+dispose real runtime", () => {
    const scope = real.protect();
    scope[Symbol.dispose]();
    do_not_optimize(scope);
  }],
} as const;
type Key = keyof typeof BENCHMARKS;

// Bytes allocated, as mitata's run() measures them.
const heap = await (async (): Promise<(() => number) | undefined> => {
  try {
    // Specifiers in variables: each exists on some runtimes only, and the
    // type checker need not know them.
    const [jsc, v8] = ["bun:jsc", "node:v8"];
    if (host.Bun !== undefined) {
      const { memoryUsage } = await import(jsc);
      return () => memoryUsage().current;
    }
    const { getHeapStatistics } = await import(v8);
    return () => {
      const stats = getHeapStatistics();
      return stats.used_heap_size + stats.malloced_memory;
    };
  } catch {
    return undefined;
  }
})();

// The scope benchmarks run twice, alternating, and the second round counts:
// on V8 whichever allocating benchmark is measured first reads 20-30% slower,
// even after a warm-up loop; the second round is steady.
const ORDER: Key[] = [...(Object.keys(BENCHMARKS) as Key[]), "scopeFake", "scopeReal"];
const stats = {} as Record<Key, Stats>;
try {
  for (const [index, key] of ORDER.entries()) {
    // A distinct min_samples makes a distinct measuring loop (see above).
    const fn = BENCHMARKS[key][1] as () => void;
    stats[key] = await measure(fn, { min_samples: 12 + index, heap });
  }
  // The subjects must still be untouched, or the numbers measured a throw.
  if (
    flags.some((flag) => flag.pending) || signals.some((signal) => signal.aborted) ||
    fake.requested || real.requested
  ) {
    throw new Error("a subject became pending during the benchmark");
  }
} finally {
  // Also on failure: the listening controller must let the process end.
  fake[Symbol.dispose]();
  real[Symbol.dispose]();
  decoy[Symbol.dispose]();
}

// --- report ----------------------------------------------------------------

const ns = Object.fromEntries(
  Object.keys(BENCHMARKS).map((key) => [key, stats[key as Key].avg]),
) as Record<Key, number>;
// Two decimals, fewer once the number is large, so table columns stay put.
const num = (n: number): string => n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0);
const x = (a: number, b: number): string => `${num(a / b)}x`;
const millions = (avgNs: number): string => `${num(1e3 / avgNs)}M`;
const nanos = num;
const bytes = (key: Key): string => {
  const avg = stats[key].heap?.avg;
  return avg === undefined ? "?" : `${Math.round(avg)}`;
};

// The goals are judged on the 8-subject checks, where every check really runs.
const breakpointOk = Math.max(ns.bpFake, ns.bpReal) <= 1.5 * ns.bare;
const scopesOk = Math.max(ns.scopeFake, ns.scopeReal) <= 200; // 5M/s = 200 ns each

if (rowMode) {
  // Columns: see bench/run.sh. "a/b" is fake runtime / real runtime.
  console.log([
    runtime.padEnd(12),
    nanos(ns.bare).padStart(5),
    nanos(ns.throwIfAborted).padStart(5),
    `${nanos(ns.bpFake)}/${nanos(ns.bpReal)}`.padStart(11),
    `${x(ns.bpFake, ns.bare)}/${x(ns.bpReal, ns.bare)}`.padStart(11),
    `${x(ns.bpFake, ns.throwIfAborted)}/${x(ns.bpReal, ns.throwIfAborted)}`.padStart(11),
    `${x(ns.bpFake1, ns.bare1)}/${x(ns.bpReal1, ns.bare1)}`.padStart(11),
    `${millions(ns.scopeFake)}/${millions(ns.scopeReal)}`.padStart(11),
    `${bytes("scopeFake")}/${bytes("scopeReal")}`.padStart(7),
    `${breakpointOk ? "ok" : "MISS"}/${scopesOk ? "ok" : "MISS"}`.padStart(9),
  ].join("  "));
} else {
  console.log(`runtime: ${runtime}; library: ${decodeURI(libUrl.pathname)}`);
  console.log(
    `  ${"".padEnd(38)} ${"avg ns".padStart(8)} ${"p50".padStart(8)} ${"p99".padStart(8)}`,
  );
  for (const [key, [name]] of Object.entries(BENCHMARKS)) {
    const { avg, p50, p99 } = stats[key as Key];
    console.log(
      `  ${name.padEnd(38)} ${nanos(avg).padStart(8)} ${nanos(p50).padStart(8)} ${
        nanos(p99).padStart(8)
      }`,
    );
  }
  for (
    const [label, fakeNs, realNs, baseNs] of [
      ["breakpoint/bare", ns.bpFake, ns.bpReal, ns.bare],
      ["breakpoint/throwIfAborted", ns.bpFake, ns.bpReal, ns.throwIfAborted],
      ["breakpoint/bare, 1 subject", ns.bpFake1, ns.bpReal1, ns.bare1],
      ["breakpoint/throwIfAborted, 1 subject", ns.bpFake1, ns.bpReal1, ns.throwIfAborted1],
    ] as const
  ) {
    console.log(
      `${label} = ${x(fakeNs, baseNs)} (fake runtime), ${x(realNs, baseNs)} (real runtime)`,
    );
  }
  console.log(
    `scopes/s = ${millions(ns.scopeFake)} (fake runtime), ${millions(ns.scopeReal)} (real runtime)`,
  );
  console.log(
    `heap per scope = ${bytes("scopeFake")} B (fake runtime), ${
      bytes("scopeReal")
    } B (real runtime)`,
  );
  console.log(
    `goals: breakpoint <= 1.5x bare ${breakpointOk ? "met" : "MISSED"}; ` +
      `scopes/s >= 5M ${scopesOk ? "met" : "MISSED"}`,
  );
}
