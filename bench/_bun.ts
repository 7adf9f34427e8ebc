/**
 * The parts of Bun the process benchmarks use (they run under Bun for
 * `spawnSync(...).resourceUsage.maxRSS`, the child's peak RSS from wait4),
 * declared here so that `deno check` needs no Bun types.
 *
 * @module
 */

/** A child started with `Bun.spawn`. */
export interface BunSubprocess {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
  readonly exitCode: number | null;
  readonly signalCode: string | null;
  kill(signal?: string): void;
}

/** What `Bun.spawnSync` returns. */
export interface BunSyncResult {
  readonly exitCode: number | null;
  readonly signalCode?: string | null;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** maxRSS in bytes (Bun multiplies wait4's KiB by 1024). */
  readonly resourceUsage?: { maxRSS: number };
}

/** Options of `Bun.spawn` and `Bun.spawnSync` used here. */
export interface BunSpawnOptions {
  cwd?: string;
  stdin?: "ignore" | "pipe";
  stdout?: "ignore" | "pipe";
  stderr?: "ignore" | "pipe";
  env?: Record<string, string | undefined>;
}

/** The `Bun` global, as far as used. */
export interface BunGlobal {
  readonly version: string;
  spawn(argv: string[], options?: BunSpawnOptions): BunSubprocess;
  spawnSync(argv: string[], options?: BunSpawnOptions): BunSyncResult;
  sleep(ms: number): Promise<void>;
}

/** The `Bun` global; throws elsewhere. */
export function _bun(): BunGlobal {
  const bun = (globalThis as unknown as { Bun?: BunGlobal }).Bun;
  if (bun === undefined) throw new Error("run the process benchmarks with bun");
  return bun;
}

interface _Ffi {
  dlopen(
    path: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: { clock_gettime(id: number, ts: unknown): number } };
  ptr(view: ArrayBufferView): unknown;
}

/**
 * CLOCK_MONOTONIC in nanoseconds, read through libc: Bun's own
 * `process.hrtime` counts from Bun's start, so it cannot be compared with a
 * child's `process.hrtime.bigint()` (Node's is CLOCK_MONOTONIC itself).
 */
export async function _monotonicClock(): Promise<() => bigint> {
  const specifier = "bun:ffi"; // in a variable: only Bun knows it
  const ffi: _Ffi = await import(specifier);
  const libc = ffi.dlopen("libc.so.6", {
    clock_gettime: { args: ["i32", "ptr"], returns: "i32" },
  });
  const timespec = new BigInt64Array(2);
  const pointer = ffi.ptr(timespec);
  const CLOCK_MONOTONIC = 1;
  return () => {
    libc.symbols.clock_gettime(CLOCK_MONOTONIC, pointer);
    return timespec[0] * 1_000_000_000n + timespec[1];
  };
}

/** CLOCK_REALTIME in milliseconds, as Deno and Bun children read it. */
export function _realtimeMs(): number {
  return performance.timeOrigin + performance.now();
}
