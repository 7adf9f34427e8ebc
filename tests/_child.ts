// Starts a fixture program in a child process of the same runtime that runs
// the tests, and lets a test wait for its lines, signal it and read its end.

import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtimeName } from "./_harness.ts";

/** How a child ended. */
export interface ChildEnd {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, or null. */
  signal: string | null;
  /** Every line it printed on stdout. */
  lines: string[];
  /** All it printed on stderr. */
  stderr: string;
}

/** A running fixture. */
export interface Child {
  /** Lines printed on stdout so far. */
  readonly lines: string[];
  /** Resolves with the first line (new or already printed) matching `pattern`. */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a real signal. */
  kill(signal: NodeJS.Signals): void;
  /** Its process id (its process group's too, when started with `detached`). */
  readonly pid: number;
  /** Resolves when it has ended (killed with SIGKILL after `limitMs`). */
  readonly ended: Promise<ChildEnd>;
}

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The command that runs a TypeScript file on the runtime running the tests. */
export function runtimeCommand(file: string, args: string[] = []): [string, string[]] {
  if (runtimeName === "deno") {
    return [process.execPath, ["run", "--allow-all", "--quiet", file, ...args]];
  }
  if (runtimeName === "bun") return [process.execPath, [file, ...args]];
  return [process.execPath, ["--disable-warning=ExperimentalWarning", file, ...args]];
}

/** Starts `tests/fixtures/<name>` with `args`; it is killed after `limitMs`. */
export function startFixture(
  name: string,
  args: string[] = [],
  options: { env?: Record<string, string>; limitMs?: number; detached?: boolean } = {},
): Child {
  const [command, argv] = runtimeCommand(fixtures + name, args);
  const child = spawn(command, argv, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    // A process group of its own, so a test can signal the whole group.
    detached: options.detached ?? false,
  });
  const lines: string[] = [];
  let stderr = "";
  let partial = "";
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of [...waiters]) wake();
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => stderr += chunk);
  const killer = setTimeout(() => child.kill("SIGKILL"), options.limitMs ?? 30_000);
  const ended = new Promise<ChildEnd>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      if (partial !== "") lines.push(partial);
      for (const wake of [...waiters]) wake();
      resolve({ code, signal, lines, stderr });
    });
  });
  let closed = false;
  ended.then(() => closed = true);

  function waitFor(pattern: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const matches = (line: string) =>
      typeof pattern === "string" ? line === pattern : pattern.test(line);
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = lines.find(matches);
        if (found !== undefined) {
          done();
          resolve(found);
          return true;
        }
        if (closed) {
          done();
          reject(
            new Error(
              `fixture ${name} ended before printing ${pattern}:\n` +
                `stdout:\n${lines.join("\n")}\nstderr:\n${stderr}`,
            ),
          );
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `fixture ${name} did not print ${pattern} within ${timeoutMs} ms:\n` +
              `stdout:\n${lines.join("\n")}\nstderr:\n${stderr}`,
          ),
        );
      }, timeoutMs);
      const wake = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      if (!check()) waiters.add(wake);
    });
  }

  return {
    lines,
    waitFor,
    pid: child.pid!,
    // process.kill, not child.kill: Deno's child.kill sends a given signal once only.
    kill: (signal) => void process.kill(child.pid!, signal),
    ended,
  };
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `condition()` holds (checked every 20 ms), or after `timeoutMs` regardless. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition() && performance.now() < end) await delay(20);
}

/** How a child ended after a signal: its end, how long after the signal, all it printed. */
export interface EndAfter {
  end: ChildEnd;
  tookMs: number;
  out: string;
}

/** Sends `signal` to `child` and waits for its end. */
export async function endAfter(child: Child, signal: NodeJS.Signals): Promise<EndAfter> {
  const sentAt = Date.now();
  child.kill(signal);
  const end = await child.ended;
  return { end, tookMs: Date.now() - sentAt, out: end.lines.join("\n") + end.stderr };
}
