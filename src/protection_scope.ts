/**
 * Protection scopes: blocks of work that a stop request does not cut short.
 *
 * @module
 */

import { ShutdownError } from "./shutdown_error.ts";

/**
 * A block of work that a stop request does not interrupt. Open one with
 * `controller.protect()`; close it with `using` or `[Symbol.dispose]()`.
 *
 * While any scope is open a stop request does not end the process. Once
 * shutdown is pending, the scope keeps at least its budget, counted from its
 * start or its latest `breakpoint()` / `renew()`; then `signal` aborts.
 *
 * @example Stop between steps, never in the middle of one
 * ```ts
 * import { shutdown, ShutdownError } from "@graceful/shutdown";
 *
 * async function copyAll(files: string[]) {
 *   using scope = shutdown.protect(10_000);
 *   for (const file of files) {
 *     scope.breakpoint(); // throws ShutdownError once shutdown is pending
 *     await fetch(file, { signal: scope.signal });
 *   }
 * }
 * try {
 *   await copyAll([]);
 * } catch (error) {
 *   if (!(error instanceof ShutdownError)) throw error;
 * }
 * ```
 */
export interface ProtectionScope extends Disposable {
  /** The name given to `protect()`, or `"scope N"`. */
  readonly name: string;
  /**
   * Aborted when the scope must stop now: its budget ran out after a stop
   * request, or the shutdown was forced. The reason is a `ShutdownError`.
   */
  readonly signal: AbortSignal;
  /** Milliseconds left once shutdown is pending; `Infinity` before that. */
  readonly remainingMs: number;
  /** Throws `ShutdownError` when shutdown is pending; otherwise restarts the budget. */
  breakpoint(): void;
  /** Restarts this scope's budget, even while shutdown is pending. */
  renew(): void;
  /** Closes the scope; it no longer holds the process. Safe to call twice. */
  [Symbol.dispose](): void;
}

/** What a scope needs from its controller. Kept narrow so there is no import cycle. */
export interface _ScopeHost {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** The error a breakpoint throws, or undefined while running. */
  pendingError(): ShutdownError | undefined;
  /** The scope stopped holding the process: closed, or its budget ran out. */
  released(scope: _Scope): void;
}

/** The scope implementation; only the controller makes them. */
export class _Scope implements ProtectionScope {
  readonly name: string;
  readonly #host: _ScopeHost;
  readonly #budgetMs: number;
  readonly #abort = new AbortController();
  #markMs: number;
  #timer: unknown = undefined;
  #pending = false;
  #closed = false;

  constructor(host: _ScopeHost, budgetMs: number, name: string) {
    this.#host = host;
    this.#budgetMs = budgetMs;
    this.name = name;
    this.#markMs = host.now();
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get remainingMs(): number {
    if (!this.#pending) return Infinity;
    if (this.#abort.signal.aborted) return 0;
    return Math.max(0, this.deadlineMs - this.#host.now());
  }

  /** When the budget runs out, on the controller's clock. */
  get deadlineMs(): number {
    return this.#markMs + this.#budgetMs;
  }

  /** True while the scope holds the process. */
  get holding(): boolean {
    return !this.#closed && !this.#abort.signal.aborted;
  }

  breakpoint(): void {
    if (this.#abort.signal.aborted) throw this.#abort.signal.reason;
    const error = this.#host.pendingError();
    if (error !== undefined) throw error;
    this.#markMs = this.#host.now();
  }

  renew(): void {
    if (this.#closed || this.#abort.signal.aborted) return;
    this.#markMs = this.#host.now();
    if (this.#pending) this.#arm();
  }

  /** Shutdown became pending: the budget now counts down. */
  _startCountdown(): void {
    if (this.#pending || !this.holding) return;
    this.#pending = true;
    this.#arm();
  }

  /** Aborts the scope at once with `reason`. */
  _abort(reason: ShutdownError): void {
    if (this.#abort.signal.aborted) return;
    this.#host.clearTimer(this.#timer);
    this.#abort.abort(reason);
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    const wasHolding = this.holding;
    this.#closed = true;
    this.#host.clearTimer(this.#timer);
    if (wasHolding) this.#host.released(this);
  }

  #arm(): void {
    this.#host.clearTimer(this.#timer);
    const left = this.deadlineMs - this.#host.now();
    if (left <= 0) {
      this.#expire();
      return;
    }
    this.#timer = this.#host.setTimer(() => this.#expire(), left);
  }

  #expire(): void {
    if (!this.holding) return;
    this._abort(
      new ShutdownError(
        `protection scope ${JSON.stringify(this.name)} ran out of its ${this.#budgetMs} ms budget`,
        { kind: "budget" },
      ),
    );
    this.#host.released(this);
  }
}
