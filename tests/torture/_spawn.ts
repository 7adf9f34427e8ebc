// Starts a torture fixture on the runtime running the torture command.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";

/** The runtime running this file. */
export const runtime: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** How a fixture ended, and what it printed. */
export interface Ended {
  code: number | null;
  signal: string | null;
  lines: string[];
  stderr: string;
  /** ms from `spawn` to the end. */
  atMs: number;
}

/** A running fixture. */
export interface Running {
  child: ChildProcess;
  lines: string[];
  startedAt: number;
  waitFor(line: string, timeoutMs?: number): Promise<boolean>;
  ended: Promise<Ended>;
}

/** The command line for a fixture file, optionally wrapped (e.g. in `unshare`). */
export function command(file: string, args: string[]): string[] {
  if (runtime === "deno") return [process.execPath, "run", "--allow-all", "--quiet", file, ...args];
  if (runtime === "bun") return [process.execPath, file, ...args];
  return [process.execPath, "--disable-warning=ExperimentalWarning", file, ...args];
}

/** Spawns `argv`; SIGKILLs it after `limitMs`. */
export function start(argv: string[], limitMs = 20_000): Running {
  const startedAt = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const lines: string[] = [];
  let stderr = "";
  let partial = "";
  const wakers = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of wakers) wake();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
  const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  const ended = new Promise<Ended>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      if (partial !== "") lines.push(partial);
      for (const wake of wakers) wake();
      resolve({ code, signal, lines, stderr, atMs: performance.now() - startedAt });
    })
  );
  let closed = false;
  ended.then(() => closed = true);
  const waitFor = (line: string, timeoutMs = 10_000): Promise<boolean> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (lines.includes(line)) done(true);
        else if (closed) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        wakers.delete(check);
        resolve(ok);
      };
      wakers.add(check);
      check();
    });
  return { child, lines, startedAt, waitFor, ended };
}

/** Sends `signal` to `pid`; false once the process is gone. */
export function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
