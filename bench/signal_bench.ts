/**
 * The signal path, whole process, measured from `kill` in the parent:
 *
 * - to the listener firing: a raw SIGTERM listener, `shutdown.signal`'s
 *   "abort" event, signal-exit's callback;
 * - to the first hook starting (`shutdown.onShutdown`; for the raw listener
 *   and signal-exit the same instant as above);
 * - to the process gone: one synchronous hook, then death by the signal.
 *   Measured in the parent from just before `kill` until Bun reports the
 *   child's exit, the same way for every variant.
 *
 * The child prints its instants on a clock the parent reads too (see
 * `ClockKind` in `_children.ts`), with one synchronous write in its last
 * callback. Trials rotate over the variants so drift cancels; each child is
 * left idle for `settleMs` after it says "ready", so the signal finds it
 * waiting in its event loop. Medians are reported.
 *
 * @module
 */

import { _bun, _monotonicClock, _realtimeMs, type BunSubprocess } from "./_bun.ts";
import {
  type BenchRuntime,
  type Children,
  SIGNAL_VARIANTS,
  type SignalVariant,
} from "./_children.ts";
import { median } from "./_stats.ts";

/** Medians of one variant, µs. */
export interface SignalFigures {
  fireUs: number;
  hookUs: number;
  goneUs: number;
  /** Trials in which the child died by SIGTERM, of all trials. */
  diedBySignal: number;
}

/** Figures of one runtime. */
export interface SignalResult {
  runtime: string;
  trials: number;
  variants: Record<SignalVariant, SignalFigures>;
}

interface _Trial {
  fireUs: number;
  hookUs: number;
  goneUs: number;
  bySignal: boolean;
}

class _Lines {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #buffer = "";
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }
  async next(): Promise<string | undefined> {
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) {
        const rest = this.#buffer;
        this.#buffer = "";
        return rest === "" ? undefined : rest;
      }
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
    const end = this.#buffer.indexOf("\n");
    const line = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end + 1);
    return line;
  }
}

async function _text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

async function _trial(
  runtime: BenchRuntime,
  file: string,
  cwd: string,
  monotonic: () => bigint,
  settleMs: number,
): Promise<_Trial> {
  const child: BunSubprocess = _bun().spawn(runtime.argv(file), {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stderr = _text(child.stderr);
  const lines = new _Lines(child.stdout);
  const fail = async (what: string): Promise<never> => {
    child.kill("SIGKILL");
    await child.exited;
    throw new Error(`${runtime.name} ${file}: ${what}\n${(await stderr).trim()}`);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("(nothing in 15 s)"), 15_000);
  });
  const ready = await Promise.race([lines.next(), timeout]);
  clearTimeout(timer);
  if (ready !== "ready") return await fail(`expected "ready", got ${JSON.stringify(ready)}`);
  await _bun().sleep(settleMs);

  const killedMono = monotonic();
  const killedReal = _realtimeMs();
  child.kill("SIGTERM");
  await child.exited;
  const goneMono = monotonic();

  const line = await lines.next();
  const [fire, hook] = (line ?? "").split(" ");
  const since = (instant: string): number =>
    runtime.clock === "monotonic-ns"
      ? Number(BigInt(instant) - killedMono) / 1e3
      : (Number(instant) - killedReal) * 1e3;
  if (!/^[\d.]+$/.test(fire ?? "") || !/^[\d.]+$/.test(hook ?? "")) {
    await stderr;
    throw new Error(
      `${runtime.name} ${file}: expected "<fired> <hook>", got ${JSON.stringify(line)} ` +
        `(exit ${child.exitCode}, signal ${child.signalCode})\n${(await stderr).trim()}`,
    );
  }
  await stderr;
  // The child's instants must fall after the parent's `kill`: a clock check.
  if (since(fire) < -5 || since(hook) < since(fire)) {
    throw new Error(`${runtime.name} ${file}: instants out of order: ${line}`);
  }
  return {
    fireUs: since(fire),
    hookUs: since(hook),
    goneUs: Number(goneMono - killedMono) / 1e3,
    bySignal: child.signalCode === "SIGTERM",
  };
}

/** Runs the signal-path trials of one runtime (after one untimed trial per variant). */
export async function signalBench(
  runtime: BenchRuntime,
  children: Children,
  options: { trials: number; settleMs?: number },
): Promise<SignalResult> {
  const monotonic = await _monotonicClock();
  const settleMs = options.settleMs ?? 25;
  const files = children.signal[runtime.name];
  const trial = (variant: SignalVariant) =>
    _trial(runtime, files[variant], children.dir, monotonic, settleMs);
  for (const variant of SIGNAL_VARIANTS) await trial(variant);
  const trials: Record<SignalVariant, _Trial[]> = {
    raw: [],
    abort: [],
    lib: [],
    signalExit: [],
  };
  for (let round = 0; round < options.trials; round++) {
    // Rotate, so that each variant follows each other equally often.
    for (let i = 0; i < SIGNAL_VARIANTS.length; i++) {
      const variant = SIGNAL_VARIANTS[(round + i) % SIGNAL_VARIANTS.length];
      trials[variant].push(await trial(variant));
    }
  }
  const figures = (list: _Trial[]): SignalFigures => ({
    fireUs: median(list.map((t) => t.fireUs)),
    hookUs: median(list.map((t) => t.hookUs)),
    goneUs: median(list.map((t) => t.goneUs)),
    diedBySignal: list.filter((t) => t.bySignal).length,
  });
  return {
    runtime: runtime.version,
    trials: options.trials,
    variants: {
      raw: figures(trials.raw),
      abort: figures(trials.abort),
      lib: figures(trials.lib),
      signalExit: figures(trials.signalExit),
    },
  };
}
