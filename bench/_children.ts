/**
 * The runtimes under test and the small programs the process benchmarks run
 * in them. The programs are written to a temporary directory with absolute
 * import paths, so the same text runs whichever library tree is measured, and
 * they use only the public API: `shutdown` from the library's mod file.
 *
 * @module
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { _bun } from "./_bun.ts";

/** How a runtime's child programs read the clock that the parent compares with. */
export type ClockKind = "monotonic-ns" | "realtime-ms";

/** One runtime under test. */
export interface BenchRuntime {
  /** deno, bun, node24, node22 or node26. */
  name: string;
  /** Name and version, e.g. "deno 2.9.6". */
  version: string;
  /** The command line that runs `file`. */
  argv(file: string): string[];
  /** The library module the programs import (mod.ts, or mod.js of the npm build for Node). */
  lib: string;
  /**
   * Node's `performance.timeOrigin` is off CLOCK_REALTIME by about 0.5 ms
   * (a different amount in each process), so Node children print
   * `process.hrtime.bigint()` (CLOCK_MONOTONIC). Deno's and Bun's `hrtime`
   * count from their own start, but their `timeOrigin + now()` matched
   * CLOCK_REALTIME within 2 µs.
   */
  clock: ClockKind;
  /** Deno or Node's `process` API for signals. */
  api: "deno" | "process";
}

/** Paths the runtimes are built from. */
export interface RuntimePaths {
  /** The project root (holding node_modules). */
  root: string;
  /** The library tree for Deno and Bun (holding mod.ts). */
  libDir: string;
  /** The npm build of the library for Node (holding mod.js). */
  npmDir: string;
}

/** The runtimes this benchmark knows. */
export const KNOWN_RUNTIMES = ["deno", "bun", "node24", "node22", "node26"] as const;

/** Builds the description of each named runtime; throws on an unknown name. */
export function runtimesFor(names: readonly string[], paths: RuntimePaths): BenchRuntime[] {
  const bin = (path: string) => join(paths.root, "node_modules", path);
  return names.map((name): BenchRuntime => {
    if (name === "deno") {
      const deno = bin(".bin/deno");
      // No config, no lock file, no type-checking (deno run never checks).
      return {
        name,
        version: _version([deno, "--version"]).split("\n")[0].split(" (")[0],
        argv: (file) => [deno, "run", "--quiet", "--no-config", "--no-lock", file],
        lib: join(paths.libDir, "mod.ts"),
        clock: "realtime-ms",
        api: "deno",
      };
    }
    if (name === "bun") {
      const bun = bin(".bin/bun");
      return {
        name,
        version: `bun ${_version([bun, "--version"])}`,
        argv: (file) => [bun, file],
        lib: join(paths.libDir, "mod.ts"),
        clock: "realtime-ms",
        api: "process",
      };
    }
    if (/^node\d+$/.test(name)) {
      const node = bin(`${name}/bin/node`);
      return {
        name,
        version: `node ${_version([node, "--version"]).replace(/^v/, "")}`,
        argv: (file) => [node, file],
        lib: join(paths.npmDir, "mod.js"),
        clock: "monotonic-ns",
        api: "process",
      };
    }
    throw new Error(`unknown runtime ${JSON.stringify(name)} (${KNOWN_RUNTIMES.join(", ")})`);
  });
}

function _version(argv: string[]): string {
  const result = _bun().spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} failed`);
  return new TextDecoder().decode(result.stdout).trim();
}

/** Variants of the start-up benchmark. */
export const STARTUP_VARIANTS = ["empty", "raw", "floor", "lib", "signalExit"] as const;
/** One start-up variant. */
export type StartupVariant = typeof STARTUP_VARIANTS[number];

/** Variants of the signal-path benchmark. */
export const SIGNAL_VARIANTS = ["raw", "abort", "lib", "signalExit"] as const;
/** One signal-path variant. */
export type SignalVariant = typeof SIGNAL_VARIANTS[number];

/** The written programs: `files[runtime][variant]` is a path. */
export interface Children {
  dir: string;
  startup: Record<string, Record<StartupVariant, string>>;
  signal: Record<string, Record<SignalVariant, string>>;
}

/**
 * Writes every program for every runtime into a new temporary directory
 * (no deno.json, package.json or bunfig above it).
 */
export function writeChildren(runtimes: readonly BenchRuntime[], signalExit: string): Children {
  const dir = mkdtempSync(join(tmpdir(), "graceful-bench-"));
  const children: Children = { dir, startup: {}, signal: {} };
  for (const runtime of runtimes) {
    const write = (kind: string, variant: string, text: string): string => {
      const file = join(dir, `${runtime.name}_${kind}_${variant}.mjs`);
      writeFileSync(file, text);
      return file;
    };
    const oneLine = write("startup", "one_line_module", "export const one = 1;\n");
    const startup = _startupSources(runtime, signalExit, oneLine);
    const signal = _signalSources(runtime, signalExit);
    children.startup[runtime.name] = Object.fromEntries(
      STARTUP_VARIANTS.map((variant) => [variant, write("startup", variant, startup[variant])]),
    ) as Record<StartupVariant, string>;
    children.signal[runtime.name] = Object.fromEntries(
      SIGNAL_VARIANTS.map((variant) => [variant, write("signal", variant, signal[variant])]),
    ) as Record<SignalVariant, string>;
  }
  return children;
}

// Start-up: each program ends by itself; the library's end-of-program hook
// run is part of what it costs.
function _startupSources(
  runtime: BenchRuntime,
  signalExit: string,
  oneLine: string,
): Record<StartupVariant, string> {
  const raw = runtime.api === "deno"
    ? `Deno.addSignalListener("SIGTERM", () => {});\n`
    : `process.on("SIGTERM", () => {});\n`;
  // The floor: what any library imported as a module costs when it listens
  // where this one listens (the four stop signals, the end, uncaught errors),
  // with no code of its own: one import of a one-line module.
  const listenAll = runtime.api === "deno"
    ? 'for (const s of ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"]) Deno.addSignalListener(s, () => {});\n' +
      'for (const e of ["beforeunload", "unload", "error", "unhandledrejection"]) addEventListener(e, () => {});\n'
    : 'for (const s of ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"]) process.on(s, () => {});\n' +
      'for (const e of ["beforeExit", "exit", "uncaughtExceptionMonitor"]) process.on(e, () => {});\n';
  return {
    empty: "// an empty program\n",
    raw,
    floor: `import { one } from ${JSON.stringify(oneLine)};\n` + listenAll + "void one;\n",
    lib: `import { shutdown } from ${JSON.stringify(runtime.lib)};\n` +
      `shutdown.onShutdown(() => {});\n`,
    signalExit: `import { onExit } from ${JSON.stringify(signalExit)};\nonExit(() => {});\n`,
  };
}

// Signal path: each program says "ready", idles until SIGTERM, prints
// "<listener fired> <first hook started>" on its clock with one synchronous
// write, and dies by the signal.
function _signalSources(
  runtime: BenchRuntime,
  signalExit: string,
): Record<SignalVariant, string> {
  const clock = runtime.clock === "monotonic-ns"
    ? "const clock = () => process.hrtime.bigint();\n"
    : "const clock = () => performance.timeOrigin + performance.now();\n";
  const head = runtime.api === "deno"
    ? "const encoder = new TextEncoder();\n" +
      "const out = (text) => Deno.stdout.writeSync(encoder.encode(text));\n"
    : `import { writeSync } from "node:fs";\nconst out = (text) => writeSync(1, text);\n`;
  const tail = 'setInterval(() => {}, 1 << 30);\nout("ready\\n");\n';
  // The raw listener re-raises the way the library and signal-exit do;
  // `onSignal` is what it does first.
  const rawListener = (onSignal: string): string =>
    runtime.api === "deno"
      ? `const listener = () => {\n  ${onSignal}\n` +
        '  Deno.removeSignalListener("SIGTERM", listener);\n  Deno.kill(Deno.pid, "SIGTERM");\n};\n' +
        'Deno.addSignalListener("SIGTERM", listener);\n'
      : `const listener = () => {\n  ${onSignal}\n` +
        '  process.off("SIGTERM", listener);\n  process.kill(process.pid, "SIGTERM");\n};\n' +
        'process.on("SIGTERM", listener);\n';
  const printNow = "const t = clock();\n  out(`${t} ${t}\\n`);";
  const raw = rawListener(printNow);
  // The raw listener aborting an AbortController (one abort made while
  // starting warms that path): the primitive `shutdown.signal` is. Its
  // abort listener prints the instant.
  const abort = "const warm = new AbortController();\n" +
    'warm.signal.addEventListener("abort", () => {});\nwarm.abort(new Error("warm"));\n' +
    "const controller = new AbortController();\n" +
    `controller.signal.addEventListener("abort", () => {\n  ${printNow}\n});\n` +
    rawListener('controller.abort(new Error("stop"));');
  return {
    raw: head + clock + raw + tail,
    abort: head + clock + abort + tail,
    lib: `import { shutdown } from ${JSON.stringify(runtime.lib)};\n` + head + clock +
      "let aborted;\n" +
      "shutdown.onShutdown(() => {\n  const t = clock();\n  out(`${aborted} ${t}\\n`);\n});\n" +
      'shutdown.signal.addEventListener("abort", () => {\n  aborted = clock();\n});\n' + tail,
    signalExit: `import { onExit } from ${JSON.stringify(signalExit)};\n` + head + clock +
      "onExit(() => {\n  const t = clock();\n  out(`${t} ${t}\\n`);\n});\n" + tail,
  };
}
