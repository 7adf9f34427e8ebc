/**
 * A runtime adapter that acts on nothing: "signals" are delivered by method
 * calls and time moves only when the test says so.
 *
 * @module
 */

import type {
  ConsoleEvent,
  OsFamily,
  OsPolicy,
  RuntimeAdapter,
  StopEvent,
  StopEventListener,
  StopSignal,
  UncaughtKind,
  Unsubscribe,
} from "../core/runtime_adapter.ts";
import { _show } from "../core/_options.ts";
import {
  _CONSOLE_EVENTS,
  _eventFor,
  _LIBUV_WINDOWS_SIGNALS,
  _POSIX_SIGNALS,
  _STOP_SIGNALS,
} from "../core/_platform.ts";
import { _osPolicy } from "../core/_platform.ts";

import type { FakeExit, FakeRuntimeOptions } from "./fake_runtime_options.ts";

export type { FakeExit, FakeRuntimeOptions };

interface _Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A fake runtime adapter with a manual clock, for unit tests of code that uses
 * a {@linkcode ShutdownController}: deliver "signals" without signals and move
 * time without sleeping.
 *
 * @example Two Ctrl-C let a protected step finish, the budget still binds
 * ```ts
 * import { ShutdownController } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * const runtime = new FakeRuntime();
 * const controller = new ShutdownController({ runtime, budgetMs: 1_000 });
 * const scope = controller.protect();
 * runtime.deliver("SIGINT");
 * await runtime.advance(999);
 * console.log(scope.signal.aborted); // false
 * await runtime.advance(1);
 * console.log(scope.signal.aborted); // true
 * scope[Symbol.dispose]();
 * await runtime.advance(0);
 * console.log(runtime.exits); // [{ signal: "SIGINT" }]
 * ```
 */
export class FakeRuntime implements RuntimeAdapter {
  /** Always `"fake"`. */
  readonly name = "fake";
  /** The pretended OS family. */
  readonly os: OsFamily;
  /** The pretended OS family's policy, the same the real adapters use. */
  readonly policy: OsPolicy;
  /** Always false: several fakes may live side by side. */
  readonly processWide = false;
  /** The stop signals of the pretended OS family. */
  readonly signals: readonly StopSignal[];
  /** Every exit the controller asked for, in order. */
  readonly exits: FakeExit[] = [];
  /** Everything written to standard error. */
  readonly stderr: string[] = [];
  /** Every error passed to `printUncaught`. */
  readonly printed: unknown[] = [];
  #terminal: boolean;
  #now = 0;
  #seq = 0;
  #timers = new Map<number, _Timer>();
  #code: number | undefined = undefined;
  #stop = new Set<
    { signals: readonly StopSignal[]; listener: StopEventListener; released: Promise<void> }
  >();
  #end = new Set<() => boolean>();
  #uncaught = new Set<(error: unknown, kind: UncaughtKind) => boolean>();
  #exit = new Set<() => void>();

  /**
   * Makes a fake runtime whose clock reads 0.
   *
   * @param options The pretended OS and terminal.
   */
  constructor(options: FakeRuntimeOptions = {}) {
    this.os = options.os ?? "posix";
    this.#terminal = options.terminal ?? false;
    this.signals = this.os === "windows" ? _LIBUV_WINDOWS_SIGNALS : _POSIX_SIGNALS;
    this.policy = _osPolicy(this.os);
  }

  /** The number of listeners of every kind currently subscribed. */
  get listenerCount(): number {
    return this.#stop.size + this.#end.size + this.#uncaught.size + this.#exit.size;
  }

  /** The number of timers pending. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** The fake clock, in ms. */
  now(): number {
    return this.#now;
  }

  /** Schedules `callback` on the fake clock. */
  setTimer(callback: () => void, ms: number): unknown {
    const seq = ++this.#seq;
    this.#timers.set(seq, { at: this.#now + ms, seq, callback });
    return seq;
  }

  /** Cancels a fake timer. */
  clearTimer(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Subscribes to fake stop events. */
  addStopListener(signals: readonly StopSignal[], listener: StopEventListener): Unsubscribe {
    // As a real console handler does, unsubscribing releases every held event.
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    const entry = { signals, listener, released };
    this.#stop.add(entry);
    return () => {
      this.#stop.delete(entry);
      release();
    };
  }

  /** Subscribes to the fake natural end. */
  onNaturalEnd(listener: () => boolean): Unsubscribe {
    this.#end.add(listener);
    return () => this.#end.delete(listener);
  }

  /** Subscribes to fake uncaught errors. */
  onUncaught(listener: (error: unknown, kind: UncaughtKind) => boolean): Unsubscribe {
    this.#uncaught.add(listener);
    return () => this.#uncaught.delete(listener);
  }

  /** Subscribes to the fake synchronous exit. */
  onExit(listener: () => void): Unsubscribe {
    this.#exit.add(listener);
    return () => this.#exit.delete(listener);
  }

  /** The exit code set by `setExitCode`, if any. */
  exitCode(): number | undefined {
    return this.#code;
  }

  /** Records an exit code. */
  setExitCode(code: number): void {
    this.#code = code;
  }

  /** Records an exit with `code`. */
  exit(code: number): void {
    this.exits.push({ code });
  }

  /** Records death by `signal`. */
  dieBy(signal: StopSignal): void {
    this.exits.push({ signal });
  }

  /** Records an uncaught error. */
  printUncaught(error: unknown): void {
    this.printed.push(error);
  }

  /** Records text written to standard error. */
  writeStderr(text: string): void {
    this.stderr.push(text);
  }

  /** Whether the fake standard error is a terminal. */
  stderrIsTerminal(): boolean {
    return this.#terminal;
  }

  /**
   * Delivers a stop signal to the listeners subscribed to it, as the event it
   * stands for on the pretended OS (on Windows SIGHUP is a console close).
   *
   * @returns The hold the listener returned, if any: it settles when the
   * process may end, or when the listener unsubscribes, as a real Windows
   * console handler releases its thread when uninstalled.
   */
  deliver(signal: StopSignal): Promise<void> | undefined {
    if (!_STOP_SIGNALS.includes(signal)) {
      throw new TypeError(
        `signal must be one of ${_STOP_SIGNALS.join(", ")}, got ${_show(signal)}`,
      );
    }
    // The same mapping as the real adapters: on Windows, SIGHUP is console close.
    return this.#emit(_eventFor(this.os, signal), (signals) => signals.includes(signal));
  }

  /**
   * Delivers a Windows console event.
   *
   * @returns The hold the listener returned, if any (see `deliver`).
   */
  deliverConsole(event: ConsoleEvent): Promise<void> | undefined {
    if (!_CONSOLE_EVENTS.includes(event)) {
      throw new TypeError(
        `console event must be one of ${_CONSOLE_EVENTS.join(", ")}, got ${_show(event)}`,
      );
    }
    return this.#emit({ kind: "console", event }, () => true);
  }

  /** Pretends the event loop ran dry; true when a listener scheduled more work. */
  endProgram(): boolean {
    let more = false;
    for (const listener of [...this.#end]) more = listener() || more;
    return more;
  }

  /** Pretends an error went uncaught; true when a listener took it over. */
  throwUncaught(error: unknown, kind: UncaughtKind = "exception"): boolean {
    let taken = false;
    for (const listener of [...this.#uncaught]) taken = listener(error, kind) || taken;
    return taken;
  }

  /** Pretends the program called `exit(code)`: runs the exit listeners synchronously. */
  exitNow(code = 0): void {
    this.#code = code;
    for (const listener of [...this.#exit]) listener();
    this.exits.push({ code });
  }

  /**
   * Moves the clock forward by `ms`, firing due timers in order and letting
   * promises settle after each.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await this.flush();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > target) break;
      this.#timers.delete(next.seq);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await this.flush();
    }
    this.#now = target;
    await this.flush();
  }

  /** Lets pending promise callbacks run, without moving the clock. */
  async flush(): Promise<void> {
    for (let round = 0; round < 64; round++) await Promise.resolve();
  }

  #earliest(): _Timer | undefined {
    let best: _Timer | undefined;
    for (const timer of this.#timers.values()) {
      if (
        best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)
      ) {
        best = timer;
      }
    }
    return best;
  }

  #emit(
    event: StopEvent,
    wants: (signals: readonly StopSignal[]) => boolean,
  ): Promise<void> | undefined {
    let hold: Promise<void> | undefined;
    for (const entry of [...this.#stop]) {
      if (!wants(entry.signals)) continue;
      const held = entry.listener(event);
      if (held !== undefined) hold = Promise.race([held, entry.released]);
    }
    return hold;
  }
}
