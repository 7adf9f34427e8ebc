/**
 * The markdown that `bench/all.sh` prints and writes to bench/RESULTS.md.
 *
 * @module
 */

import type { StartupResult } from "./startup_bench.ts";
import type { SignalResult } from "./signal_bench.ts";

/** Where and how the figures were measured. */
export interface RunInfo {
  date: string;
  nproc: string;
  cpu: string;
  kernel: string;
  harness: string;
  library: string;
  command: string;
  seconds: number;
  /** 1-minute load average at the start and at the end (other work on the machine adds noise). */
  load: [string, string];
}

/** The goals of the process benchmarks. */
export const GOALS = {
  startupRatio: 1.10,
  rssOverRawMiB: 1.5,
  abortOverRawUs: 50,
  hookOverRawUs: 1000,
} as const;

const _verdict = (ok: boolean): string => ok ? "ok" : "**MISS**";
const _x = (n: number): string => `${n.toFixed(2)}×`;
const _us = (n: number): string => `${Math.round(n)}`;
const _signed = (n: number, digits = 0): string =>
  `${n >= 0 ? "+" : "−"}${Math.abs(n).toFixed(digits)}`;

/** Renders every table. */
export function renderMarkdown(
  info: RunInfo,
  startup: readonly StartupResult[],
  signal: readonly SignalResult[],
  breakpoint: readonly string[],
): string {
  const lines: string[] = [];
  lines.push(
    "# Benchmark results",
    "",
    `- date: ${info.date}`,
    `- machine: ${info.nproc} CPUs (nproc), ${info.cpu}, ${info.kernel}; load average ` +
      `${info.load[0]} at the start, ${info.load[1]} at the end`,
    `- runtimes: ${startup.map((s) => s.runtime).join(", ")}; harness ${info.harness}`,
    `- library: ${info.library}; Node runs its npm build (tools/build_npm.mjs), ` +
      "Deno and Bun the TypeScript source",
    `- command: \`${info.command}\` (${info.seconds} s)`,
    "- method: children are spawned by a Bun harness (bench/all.ts). Wall time around " +
      "`Bun.spawnSync`; peak RSS from a second run under GNU time (a child spawned by Bun " +
      "directly inherits Bun's RSS as its ru_maxrss floor). Signal instants: Node children " +
      "print `process.hrtime.bigint()` (CLOCK_MONOTONIC), Deno and Bun children " +
      "`performance.timeOrigin + performance.now()` (CLOCK_REALTIME within 2 µs there; Node's " +
      "is off by ~0.5 ms); the parent reads both clocks right before `kill`.",
    "",
    "## Start-up (whole process)",
    "",
    `Median of ${startup[0]?.rounds ?? "?"} alternating rounds; ratios are per round ` +
      "against the empty program. *raw*: one SIGTERM listener; *floor*: an import of a " +
      "one-line module plus listeners on the four stop signals, the end and uncaught errors " +
      "(what any imported library listening as this one does costs); *lib*: " +
      "`import { shutdown }` + `shutdown.onShutdown(() => {})`; *signal-exit*: `onExit(() => {})`. " +
      "RSS: the child's peak (wait4 ru_maxrss).",
    "",
    "| runtime | empty ms | raw | floor | lib (goal ≤ 1.10×) | lib / floor | signal-exit | peak RSS empty / raw / floor / lib MiB | lib − raw (goal ≤ +1.5 MiB) | goals |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
  );
  for (const s of startup) {
    const rss = s.rssMiB.lib - s.rssMiB.raw;
    lines.push(
      `| ${s.runtime} | ${s.ms.empty.toFixed(1)} | ${_x(s.ratio.raw)} | ${_x(s.ratio.floor)} | ` +
        `${_x(s.ratio.lib)} | ${_x(s.ms.lib / s.ms.floor)} | ` +
        `${_x(s.ratio.signalExit)} | ${s.rssMiB.empty.toFixed(1)} / ${s.rssMiB.raw.toFixed(1)} / ` +
        `${s.rssMiB.floor.toFixed(1)} / ${s.rssMiB.lib.toFixed(1)} | ${_signed(rss, 1)} | ` +
        `${_verdict(s.ratio.lib <= GOALS.startupRatio)} / ${
          _verdict(rss <= GOALS.rssOverRawMiB)
        } |`,
    );
  }
  lines.push(
    "",
    "## Signal path (µs from `kill` in the parent, medians)",
    "",
    `${signal[0]?.trials ?? "?"} trials per variant, rotated. *fired*: the raw listener ` +
      "runs / `shutdown.signal` aborts / signal-exit's callback runs; *raw + abort*: a raw " +
      "listener that aborts an `AbortController` (warmed by one abort at start), until that " +
      "controller's abort listener runs: the primitive `shutdown.signal` is; *hook*: the first " +
      "`onShutdown` hook starts; *gone*: one synchronous hook, then death by the signal, " +
      "until the parent sees the exit.",
    "",
    "| runtime | fired raw | raw + abort | fired lib | Δ (goal ≤ +50) | Δ vs raw + abort | hook lib | Δ vs raw (goal ≤ +1000) | signal-exit cb | gone raw | gone lib | gone signal-exit | lib ≤ signal-exit | died by SIGTERM raw/lib/s-e |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|:-:|",
  );
  for (const s of signal) {
    const { raw, abort, lib, signalExit } = s.variants;
    const fired = lib.fireUs - raw.fireUs;
    const hook = lib.hookUs - raw.fireUs;
    lines.push(
      `| ${s.runtime} | ${_us(raw.fireUs)} | ${_us(abort.fireUs)} | ${_us(lib.fireUs)} | ` +
        `${_signed(fired)} ${_verdict(fired <= GOALS.abortOverRawUs)} | ` +
        `${_signed(lib.fireUs - abort.fireUs)} | ${_us(lib.hookUs)} | ${_signed(hook)} ` +
        `${_verdict(hook <= GOALS.hookOverRawUs)} | ${_us(signalExit.fireUs)} | ` +
        `${_us(raw.goneUs)} | ${_us(lib.goneUs)} | ${_us(signalExit.goneUs)} | ` +
        `${_verdict(lib.goneUs <= signalExit.goneUs)} | ` +
        `${raw.diedBySignal}/${lib.diedBySignal}/${signalExit.diedBySignal} of ${s.trials} |`,
    );
  }
  if (breakpoint.length > 0) {
    lines.push(
      "",
      "## Breakpoints and scopes (bench/breakpoint_bench.ts; columns: see bench/run.sh)",
      "",
      "| runtime | bare ns | tIA ns | bp f/r ns | bp/bare f/r | bp/tIA f/r | 1 subj f/r | scopes/s f/r | B/scope | goals |",
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
    );
    for (const row of breakpoint) {
      const cells = row.trim().split(/\s{2,}/);
      lines.push(cells.length === 10 ? `| ${cells.join(" | ")} |` : `| ${row} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
